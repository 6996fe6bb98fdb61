#ifndef CEPOLL_H
#define CEPOLL_H
#include <sys/epoll.h>
#include <sys/socket.h>
#include <stdint.h>

// accept4 is declared by <sys/socket.h> only under _GNU_SOURCE, which the Swift Glibc module lacks.
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

// epoll_event is packed on x86_64 (12 bytes); these helpers keep Swift away from its layout.
static inline int cepoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(ep, op, fd, &ev);
}
static inline uint32_t cepoll_events(const struct epoll_event *evs, int i) { return evs[i].events; }
static inline uint64_t cepoll_data(const struct epoll_event *evs, int i) { return evs[i].data.u64; }
static inline int cepoll_event_size(void) { return (int)sizeof(struct epoll_event); }
#endif
