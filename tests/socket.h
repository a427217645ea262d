// Test-only: raw TCP to a server on 127.0.0.1, for tests that must send what no HTTP client
// would (dribbled headers, endless bodies, pipelined requests) and read exactly what came back.
#ifndef VELLUM_TESTS_SOCKET_H_
#define VELLUM_TESTS_SOCKET_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace vellum::testing {

// A blocking socket connected to 127.0.0.1:`port`, or -1. A `receive_buffer` (bytes) is set
// before connecting, so that the window starts small.
inline int ConnectLoopback(int port, int receive_buffer = 0) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (receive_buffer > 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends all of `data`; false once the other side stopped taking it.
inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// What arrives on `fd` until it closes, `max` bytes arrived, `until` arrived (when not empty)
// or nothing came for `idle_ms`.
inline std::string Receive(int fd, size_t max = 1 << 20, int idle_ms = 3000,
                           std::string_view until = {}) {
  std::string in;
  char buf[8192];
  while (in.size() < max && (until.empty() || in.find(until) == std::string::npos)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, idle_ms) <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
  }
  return in;
}

}  // namespace vellum::testing

#endif  // VELLUM_TESTS_SOCKET_H_
