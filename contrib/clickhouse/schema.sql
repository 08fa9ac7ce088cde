-- ClickHouse schema for shadowdhcp's analytics events (docs/events.md).
-- One table per protocol; columns mirror the event JSON fields. `host_name` is added by the
-- collector (contrib/vector/vector.toml), `timestamp_ms` is the event's time in milliseconds.

CREATE DATABASE IF NOT EXISTS dhcp;

CREATE TABLE IF NOT EXISTS dhcp.events_v4
(
    host_name                        LowCardinality(String) DEFAULT '',
    timestamp_ms                     UInt64,
    timestamp                        DateTime64(3) MATERIALIZED fromUnixTimestamp64Milli(toInt64(timestamp_ms)),
    message_type                     LowCardinality(Nullable(String)),
    relay_addr                       IPv4,
    mac_address                      Nullable(String),
    option82_circuit                 Nullable(String),
    option82_remote                  Nullable(String),
    option82_subscriber              Nullable(String),
    reservation_ipv4                 Nullable(IPv4),
    reservation_mac                  Nullable(String),
    reservation_option82_circuit     Nullable(String),
    reservation_option82_remote      Nullable(String),
    reservation_option82_subscriber  Nullable(String),
    reply_type                       LowCardinality(Nullable(String)),
    match_method                     LowCardinality(Nullable(String)),
    extractor_used                   LowCardinality(Nullable(String)),
    success                          UInt8,
    failure_reason                   LowCardinality(Nullable(String))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (host_name, relay_addr, timestamp)
TTL toDateTime(timestamp) + INTERVAL 90 DAY;

CREATE TABLE IF NOT EXISTS dhcp.events_v6
(
    host_name                         LowCardinality(String) DEFAULT '',
    timestamp_ms                      UInt64,
    timestamp                         DateTime64(3) MATERIALIZED fromUnixTimestamp64Milli(toInt64(timestamp_ms)),
    message_type                      LowCardinality(String),
    xid                               String,
    relay_addr                        IPv6,
    relay_link_addr                   IPv6,
    relay_peer_addr                   IPv6,
    mac_address                       Nullable(String),
    client_id                         Nullable(String),
    option1837_interface              Nullable(String),
    option1837_remote                 Nullable(String),
    requested_ipv6_na                 Nullable(IPv6),
    requested_ipv6_pd                 Nullable(String),
    reservation_ipv6_na               Nullable(IPv6),
    reservation_ipv6_pd               Nullable(String),
    reservation_ipv4                  Nullable(IPv4),
    reservation_mac                   Nullable(String),
    reservation_duid                  Nullable(String),
    reservation_option1837_interface  Nullable(String),
    reservation_option1837_remote     Nullable(String),
    match_method                      LowCardinality(Nullable(String)),
    extractor_used                    LowCardinality(Nullable(String)),
    success                           UInt8,
    failure_reason                    LowCardinality(Nullable(String))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (host_name, relay_addr, timestamp)
TTL toDateTime(timestamp) + INTERVAL 90 DAY;

-- Per-client daily counts (the NOC's "how often does this customer ask, and does it work?").
CREATE MATERIALIZED VIEW IF NOT EXISTS dhcp.frequent_clients_v4_mv
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(date)
ORDER BY (host_name, mac_address, message_type, date)
TTL date + INTERVAL 365 DAY
AS SELECT host_name, ifNull(mac_address, '') AS mac_address, ifNull(message_type, '') AS message_type,
          toDate(timestamp) AS date, count() AS requests, sum(success) AS successes,
          count() - sum(success) AS failures
   FROM dhcp.events_v4 GROUP BY host_name, mac_address, message_type, date;

CREATE MATERIALIZED VIEW IF NOT EXISTS dhcp.relay_stats_v6_mv
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(date)
ORDER BY (host_name, relay_addr, message_type, date)
TTL date + INTERVAL 365 DAY
AS SELECT host_name, relay_addr, message_type, toDate(timestamp) AS date,
          count() AS requests, sum(success) AS successes, count() - sum(success) AS failures
   FROM dhcp.events_v6 GROUP BY host_name, relay_addr, message_type, date;
