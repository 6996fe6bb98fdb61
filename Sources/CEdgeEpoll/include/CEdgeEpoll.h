#ifndef CEDGEEPOLL_H
#define CEDGEEPOLL_H
// The few Linux calls the edge's epoll engine needs that Swift's Glibc module does not export
// (<sys/epoll.h>, <sys/eventfd.h>, accept4 without _GNU_SOURCE), and reads and writes made as
// plain system calls: glibc's read/write/recv/send are thread-cancellation points, whose
// bookkeeping costs as much per call as the engine's own code.
#ifdef __linux__
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

static const uint32_t cedge_EPOLLIN = EPOLLIN;
static const uint32_t cedge_EPOLLOUT = EPOLLOUT;
static const uint32_t cedge_EPOLLERR = EPOLLERR;
static const uint32_t cedge_EPOLLHUP = EPOLLHUP;
static const uint32_t cedge_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t cedge_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;

static inline int cedge_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

// epoll_event is packed on x86_64 (12 bytes) and not on arm64: Swift never touches its layout.
static inline int cedge_epoll_ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(ep, op, fd, &ev);
}
static inline int cedge_epoll_add(int ep, int fd, uint32_t events, uint64_t data) {
    return cedge_epoll_ctl(ep, EPOLL_CTL_ADD, fd, events, data);
}
static inline int cedge_epoll_mod(int ep, int fd, uint32_t events, uint64_t data) {
    return cedge_epoll_ctl(ep, EPOLL_CTL_MOD, fd, events, data);
}
static inline int cedge_epoll_del(int ep, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(ep, EPOLL_CTL_DEL, fd, &ev);
}
static inline void *cedge_events_allocate(int count) {
    return calloc((size_t)count, sizeof(struct epoll_event));
}
static inline int cedge_epoll_wait(int ep, void *events, int count, int timeout) {
    return epoll_wait(ep, (struct epoll_event *)events, count, timeout);
}
static inline uint32_t cedge_event_flags(const void *events, int i) { return ((const struct epoll_event *)events)[i].events; }
static inline uint64_t cedge_event_data(const void *events, int i) { return ((const struct epoll_event *)events)[i].data.u64; }

static inline int cedge_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

static inline long cedge_recv(int fd, void *buffer, size_t count) {
    return syscall(SYS_recvfrom, fd, buffer, count, 0, (void *)0, (void *)0);
}
// MSG_NOSIGNAL: a peer gone away is an EPIPE, not a SIGPIPE for the whole server.
static inline long cedge_send(int fd, const void *buffer, size_t count) {
    return syscall(SYS_sendto, fd, buffer, count, MSG_NOSIGNAL, (void *)0, 0);
}
static inline int cedge_accept(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
#endif
#endif
