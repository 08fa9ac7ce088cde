// floor: the kernel's own cost of a DHCP exchange, as a lower bound for every server figure.
//
// One recvfrom(2), the request turned into the matching reply in place, one sendto(2) back to the
// datagram's source — no lookup, no allocation, no batching. The bench (shadow-bench load) sees
// a well-formed answer to every request:
//   DHCPv4: op 2, hops 0, option 53 DISCOVER→OFFER, REQUEST→ACK, yiaddr = option 50 when present.
//   DHCPv6: Relay-forw (12) → Relay-repl (13); inside option 9 Solicit→Advertise, Request→Reply.
// Anything else is dropped.
//
// usage: floor -4|-6 ADDRESS [-p PORT] [-t SECONDS]
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

static int v4_reply(uint8_t *b, size_t n) {
    if (n < 240 || b[0] != 1) return 0;
    b[0] = 2;
    b[3] = 0;
    int type_at = -1;
    for (size_t i = 240; i < n;) {
        uint8_t code = b[i];
        if (code == 255) break;
        if (code == 0) { i++; continue; }
        if (i + 1 >= n || i + 2 + b[i + 1] > n) return 0;
        uint8_t len = b[i + 1];
        if (code == 53 && len == 1) type_at = (int)i + 2;
        if (code == 50 && len == 4) memcpy(b + 16, b + i + 2, 4);
        i += 2 + len;
    }
    if (type_at < 0) return 0;
    if (b[type_at] == 1) b[type_at] = 2;
    else if (b[type_at] == 3) b[type_at] = 5;
    else return 0;
    return 1;
}

static int v6_reply(uint8_t *b, size_t n) {
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
            return 1;
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
        else address = argv[i];
    }
    if (!family || !address || seconds <= 0) {
        fprintf(stderr, "usage: floor -4|-6 ADDRESS [-p PORT] [-t SECONDS]\n");
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
        int ok = family == AF_INET ? v4_reply(buf, (size_t)n) : v6_reply(buf, (size_t)n);
        if (ok) sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, peer_len);
    }
}
