import ShadowCore

/// Texts printed by `shadow-master`'s informational flags.
public enum HelpTexts {
    /// `--available-extractors`: three lines, names sorted within the first two.
    public static var availableExtractors: String {
        let o82 = Option82Extractor.allCases.map(\.name).sorted().joined(separator: ", ")
        let o1837 = Option1837Extractor.allCases.map(\.name).sorted().joined(separator: ", ")
        let mac = MACExtractor.allCases.map(\.name).joined(separator: ", ")
        return """
        Option82 (DHCPv4): \(o82)
        Option18/37 (DHCPv6): \(o1837)
        MAC (DHCPv6): \(mac)
        """
    }

    public static let config = """
    shadow-master reads three files from its configuration directory (--configdir, default /etc/shadowdhcp):

      ids.json           the server identities: {"v4": "<IPv4 address>", "v6": "<DUID>"}
      config.json        server settings (below)
      reservations.json  the subscribers (see --help-reservations)

    config.json and ids.json are read at start only (a SIGHUP applies config.json's rate_limits
    alone); reservations.json is read again on SIGHUP and on the management commands "reload" and
    "replace".

    Required fields of config.json:
      dns_v4          IPv4 resolvers sent in option 6, in order (at least one)
      dns_v6          IPv6 resolvers sent in option 23, in order (at least one)
      subnets_v4      [{"net": "a.b.c.d/len", "gateway": "a.b.c.d", "reply_prefix_len": 0-32 (optional),
                        "options_v4": {...}, "v4_lease_time": N, "relays": ["a.b.c.d/len", ...] (optional)}]

    Optional fields (default):
      option82_extractors     Option 82 extractors tried in order ([]) — put the most common match first
      option1837_extractors   Option 18/37 extractors tried in order ([])
      mac_extractors          DHCPv6 MAC extractors tried in order (["client_linklayer_address"])
      v4_lease_time           DHCPv4 lease in seconds (3600); 4294967295 means infinite
      v6_lease_time           DHCPv6 valid lifetime in seconds (12 × v4_lease_time)
      logging                 {"level": "info", "stdout": true, "file": {"path": "...", "max_files": 3},
                               "format": "text" | "json" (text when stdout is a terminal, else json)}
                              (the older top-level "log_level" is accepted instead)
      events                  {"tcp": "127.0.0.1:9000", "queue_size": 16384}
                              (the older top-level "events_address" is accepted instead)
      mgmt_address            management TCP listener, loopback only unless mgmt_tls (none)
      mgmt_http_address       management HTTP JSON API, POST /v1/command; loopback only unless mgmt_tls (none)
      mgmt_tls                {"cert_file": "/etc/shadowdhcp/mgmt.pem", "key_file": "/etc/shadowdhcp/mgmt.key",
                               "client_ca_file": "...", "client_roles": {"billing": "admin"}} (none): TLS on
                              mgmt_address and mgmt_http_address; with client_ca_file a client certificate is
                              required and its CN is mapped to a role by client_roles
      mgmt_socket             management Unix socket path, mode 0600, or 0660 root:unix_group (none)
      mgmt_auth               {"tokens_file": "/etc/shadowdhcp/tokens.json", "unix_group": "shadowadm",
                               "unix_group_role": "read"} (none): tokens_file holds token hashes (mode 0600;
                              over TCP every request then needs a token); members of unix_group may use
                              the socket with unix_group_role ("read" or "admin"); see docs/management.md
      mgmt_tcp_insecure_writes  without tokens_file, allow reload and replace over TCP anyway (false; warned)
      v4_bind_address         DHCPv4 socket ("0.0.0.0:67")
      v6_bind_address         DHCPv6 socket ("[::]:547")
      user                    account of the sandboxed processes ("nobody"); X-v4, X-v6, X-ops when all exist
      state_dir               where learned MAC bindings are kept ("/var/lib/shadowdhcp")
      binding_table_size      most MAC→Option 82 bindings kept, oldest evicted first (1000000)
      workers_v4, workers_v6  worker processes per protocol, sharing its socket (1)
      metrics_address         serve GET /metrics in the Prometheus text format here, loopback only (none)
      metrics_allow_remote    allow a non-loopback metrics_address without TLS (false)
      mgmt_max_request_bytes  largest management request accepted (536870912)
      rate_limits             {"per_client_per_s": 10, "per_relay_per_s": 5000}: storm control, answered
                              requests per second per client (chaddr / DUID; default 10) and per relay
                              (giaddr / Relay-forward source; default off); 0 = off, absent or null =
                              the default; re-read on SIGHUP
      options_v4              DHCPv4 options of every reservation (none); also in subnets_v4[] and in
                              reservations. Keys: dns_servers (6), routers (3), domain_name (15),
                              domain_search (119), ntp_servers (42), mtu (26, 68-65535),
                              classless_routes (121, [{"net": "a.b.c.d/len", "router": "a.b.c.d"}]),
                              ms_classless_routes (top level only: also send 121 as 249),
                              tftp_server (66), bootfile (67), time_offset (2), v6_only_preferred (108),
                              vendor_specific (43, hex), vendor_identifying (125, [{"enterprise": N,
                              "hex": "..."}]), custom ([{"code": N, "hex": "..."}]), always_send
                              (["mtu", 224]: keys and custom codes of that level sent unasked)
      options_v6              DHCPv6 options (none); also in subnets_v6[] and in reservations. Keys:
                              dns_servers (23), domain_search (24), ntp_servers (56), sntp_servers (31),
                              sol_max_rt (82), inf_max_rt (83), information_refresh_time (32),
                              aftr_name (64), vendor_opts (17, [{"enterprise": N, "hex": "..."}]),
                              custom, always_send
      subnets_v6              [{"link": "2001:db8:1::/64", "options_v6": {...}, "v6_lease_time": N,
                                "relays": ["2001:db8:ff::/48"]}] ([]): the first link containing the
                              closest relay's link-address applies
                              The most specific level wins key by key: reservation, subnet, top.

    Run --available-extractors for the extractor names. Example config.json:

    {
      "dns_v4": ["192.0.2.53"],
      "dns_v6": ["2001:db8::53"],
      "subnets_v4": [{"net": "198.51.100.0/24", "gateway": "198.51.100.1"}],
      "option82_extractors": ["remote_only", "normalize_remote_mac"],
      "mac_extractors": ["client_linklayer_address", "peer_addr_eui64"],
      "mgmt_address": "127.0.0.1:8547"
    }

    Example ids.json:

    {"v4": "192.0.2.1", "v6": "00:03:00:01:02:00:5e:00:00:01"}

    Check a directory without starting the server: shadow-master --check --configdir DIR
    """

    public static let reservations = """
    reservations.json is a JSON array with one object per subscriber.

    Required in every entry:
      ipv4      the subscriber's IPv4 address (must lie in one of subnets_v4)
      ipv6_na   the IPv6 address sent in IA_NA
      ipv6_pd   the prefix delegated in IA_PD, "addr/len" (host bits are cleared, with a warning)

    Keys (at least one; each may appear in one entry only):
      mac         "00-11-22-33-44-55" (also 001122334455, 0x001122334455, colons, 0011.2233.4455)
      duid        "00:03:00:01:00:11:22:33:44:55" (hex bytes separated by ':' or '-')
      option82    {"circuit": "...", "remote": "...", "subscriber": "..."} — any non-empty subset
      option1837  {"interface": "...", "remote": "...", "enterprise_number": 4874} — any non-empty subset

    Optional per subscriber (win over the subnet's and the top level's, key by key):
      options_v4, options_v6        the keys of config.json's options_v4 / options_v6 (--help-config)
      v4_lease_time, v6_lease_time  this subscriber's lease times in seconds

    Lookup order:
      IPv4: mac -> option82
      IPv6: duid -> option18/37 -> mac -> option82 (through the MAC learned over DHCPv4)

    Option 82 and 18/37 values match only when every field is equal, absent fields included.
    Write MAC addresses inside Option 82 values upper-case with dashes (AA-BB-CC-DD-EE-FF), the form
    the normalize_remote_mac and remote_first_12 extractors produce.

    Example:

    [
      {"ipv4": "198.51.100.10", "ipv6_na": "2001:db8:1::10", "ipv6_pd": "2001:db8:100::/56",
       "mac": "00-11-22-33-44-55"},
      {"ipv4": "198.51.100.11", "ipv6_na": "2001:db8:1::11", "ipv6_pd": "2001:db8:101::/56",
       "option82": {"remote": "AA-BB-CC-DD-EE-FF"}}
    ]
    """
}
