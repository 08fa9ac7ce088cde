// floor: the kernel's own cost of a DHCP exchange, as a lower bound for every server figure.
//
// One recvfrom(2), the request turned into the matching reply in place, one sendto(2) back to the
// datagram's source — no lookup, no allocation, no batching. The bench (shadow-bench load) sees
// a well-formed answer to every request:
//   DHCPv4: op 2, hops 0, option 53 DISCOVER→OFFER, REQUEST→ACK, yiaddr = option 50 when present.
//   DHCPv6: Relay-forw (12) → Relay-repl (13); inside option 9 Solicit→Advertise, Request→Reply.
// Anything else is dropped.
//
// -c (complete replies, for Kea's perfdhcp, which checks more than shadow-bench): DHCPv4 replies
// also carry option 54 (the floor's address) when the request has none, and yiaddr, when the request
// has no option 50, is computed from chaddr the way `shadow-bench generate` assigns addresses
// (100.64.0.2 + the MAC's low 32 bits). A DHCPv6 Advertise is rebuilt instead of only renamed: client
// id copied, server id 00:03:00:01:06:00:00:00:00:01 added, IA_NA with one IA Address and IA_PD with
// one IA Prefix (computed from the DUID's low 32 bits like the plan), other client options left out.
// Still no lookup and no allocation: a few hundred bytes copied. A Request already carries the server
// id and the IAs of the Advertise, so renaming it to a Reply stays enough.
//
// usage: floor -4|-6 ADDRESS [-p PORT] [-t SECONDS] [-c]
//   PORT defaults to 67 (-4) or 547 (-6); the process exits after SECONDS (default 600).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int complete = 0;           // -c
static uint8_t server_v4[4];       // the floor's own address, option 54 with -c

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

// Returns the reply's length (0: drop). cap: the buffer's size.
static size_t v4_reply(uint8_t *b, size_t n, size_t cap) {
    if (n < 240 || b[0] != 1) return 0;
    b[0] = 2;
    b[3] = 0;
    int type_at = -1, has_requested = 0, has_server_id = 0;
    size_t end_at = n;
    for (size_t i = 240; i < n;) {
        uint8_t code = b[i];
        if (code == 255) { end_at = i; break; }
        if (code == 0) { i++; continue; }
        if (i + 1 >= n || i + 2 + b[i + 1] > n) return 0;
        uint8_t len = b[i + 1];
        if (code == 53 && len == 1) type_at = (int)i + 2;
        if (code == 50 && len == 4) { memcpy(b + 16, b + i + 2, 4); has_requested = 1; }
        if (code == 54) has_server_id = 1;
        i += 2 + len;
    }
    if (type_at < 0) return 0;
    if (b[type_at] == 1) b[type_at] = 2;
    else if (b[type_at] == 3) b[type_at] = 5;
    else return 0;
    if (!complete) return n;
    if (!has_requested) put32(b + 16, 0x64400002u + be32(b + 28 + 2));  // 100.64.0.2 + MAC's low 32 bits
    if (!has_server_id) {
        if (end_at + 7 > cap) return 0;
        b[end_at] = 54; b[end_at + 1] = 4; memcpy(b + end_at + 2, server_v4, 4); b[end_at + 6] = 255;
        return end_at + 7 > n ? end_at + 7 : n;
    }
    return n;
}

// -c: Solicit → a complete Advertise, written into out; returns its length (0: drop).
static size_t v6_advertise(const uint8_t *t, size_t len, uint8_t *out) {
    static const uint8_t server_id[] = {0, 2, 0, 10, 0, 3, 0, 1, 6, 0, 0, 0, 0, 1};
    size_t o = 4;
    uint32_t k = 0;
    memcpy(out, t, 4);  // message type (already Advertise) and transaction id
    for (size_t i = 4; i + 4 <= len;) {
        uint16_t code = (uint16_t)(t[i] << 8 | t[i + 1]);
        size_t olen = (size_t)(t[i + 2] << 8 | t[i + 3]);
        if (i + 4 + olen > len) return 0;
        const uint8_t *v = t + i + 4;
        if (code == 1 && olen >= 4 && olen <= 130) {        // client id: copied, its low 32 bits name the subscriber
            memcpy(out + o, t + i, 4 + olen); o += 4 + olen;
            k = be32(v + olen - 4);
        } else if (code == 3 && olen >= 12) {               // IA_NA: IAID, T1, T2 + IA Address 2001:db8:1::(k+1)
            static const uint8_t head[] = {0, 3, 0, 40};
            memcpy(out + o, head, 4); memcpy(out + o + 4, v, 12); o += 16;
            uint8_t a[28] = {0, 5, 0, 24, 0x20, 0x01, 0x0d, 0xb8, 0, 1};
            put32(a + 16, k + 1); put32(a + 20, 21600); put32(a + 24, 43200);
            memcpy(out + o, a, 28); o += 28;
        } else if (code == 25 && olen >= 12) {              // IA_PD: IAID, T1, T2 + the k-th /56 of 2001:db8:8000::/33
            static const uint8_t head[] = {0, 25, 0, 41};
            memcpy(out + o, head, 4); memcpy(out + o + 4, v, 12); o += 16;
            uint8_t p[29] = {0, 26, 0, 25};
            put32(p + 4, 21600); put32(p + 8, 43200); p[12] = 56;
            p[13] = 0x20; p[14] = 0x01; p[15] = 0x0d; p[16] = 0xb8;
            p[17] = (uint8_t)(0x80 | ((k >> 16) & 0x7f)); p[18] = (uint8_t)(k >> 8); p[19] = (uint8_t)k;
            memcpy(out + o, p, 29); o += 29;
        }
        i += 4 + olen;
    }
    memcpy(out + o, server_id, sizeof server_id);
    return o + sizeof server_id;
}

// Returns the reply's length (0: drop). cap: the buffer's size.
static size_t v6_reply(uint8_t *b, size_t n, size_t cap) {
    if (n < 34 || b[0] != 12) return 0;
    b[0] = 13;
    for (size_t i = 34; i + 4 <= n;) {
        uint16_t code = (uint16_t)(b[i] << 8 | b[i + 1]);
        size_t len = (size_t)(b[i + 2] << 8 | b[i + 3]);
        if (i + 4 + len > n) return 0;
        if (code == 9 && len >= 4) {
            uint8_t *t = b + i + 4;
            if (*t == 1) *t = 2;
            else if (*t == 3) *t = 7;
            else return 0;
            if (!complete || *t != 2) return n;
            static uint8_t inner[2048];
            if (len > 1500) return 0;
            size_t m = v6_advertise(t, len, inner);
            size_t tail = n - (i + 4 + len);              // relay options after option 9 (echoed)
            if (m == 0 || i + 4 + m + tail > cap) return 0;
            memmove(b + i + 4 + m, b + i + 4 + len, tail);
            memcpy(b + i + 4, inner, m);
            b[i + 2] = (uint8_t)(m >> 8); b[i + 3] = (uint8_t)m;
            return i + 4 + m + tail;
        }
        i += 4 + len;
    }
    return 0;
}

int main(int argc, char **argv) {
    int family = 0, port = -1, seconds = 600;
    const char *address = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-4")) family = AF_INET;
        else if (!strcmp(argv[i], "-6")) family = AF_INET6;
        else if (!strcmp(argv[i], "-p") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-t") && i + 1 < argc) seconds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-c")) complete = 1;
        else address = argv[i];
    }
    if (!family || !address || seconds <= 0) {
        fprintf(stderr, "usage: floor -4|-6 ADDRESS [-p PORT] [-t SECONDS] [-c]\n");
        return 2;
    }
    if (port < 0) port = family == AF_INET ? 67 : 547;
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int size = 4 * 1024 * 1024, one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_storage local = {0};
    socklen_t local_len;
    if (family == AF_INET) {
        struct sockaddr_in *sa = (struct sockaddr_in *)&local;
        sa->sin_family = AF_INET;
        sa->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, address, &sa->sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
        memcpy(server_v4, &sa->sin_addr, 4);
        local_len = sizeof *sa;
    } else {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&local;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, address, &sa->sin6_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
        local_len = sizeof *sa;
    }
    if (bind(fd, (struct sockaddr *)&local, local_len) < 0) { perror("bind"); return 1; }
    alarm((unsigned)seconds);  // bounded: SIGALRM ends the process
    static uint8_t buf[65536];
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof peer;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&peer, &peer_len);
        if (n < 0) continue;
        size_t m = family == AF_INET ? v4_reply(buf, (size_t)n, sizeof buf) : v6_reply(buf, (size_t)n, sizeof buf);
        if (m) sendto(fd, buf, m, 0, (struct sockaddr *)&peer, peer_len);
    }
}
