#include "service/emulator/connection_control.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "absl/strings/numbers.h"

namespace ucgate::emulator {
namespace {

bool Endpoint(const sockaddr_storage& address, std::string* host, int* port) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    *port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    *port = ntohs(v6->sin6_port);
  } else {
    return false;
  }
  *host = text;
  return true;
}

// Calls `visit(fd, peer_host, peer_port)` for each connected TCP socket of
// this process bound to `local_port`.
void ForEachConnection(
    int local_port,
    const std::function<bool(int, const std::string&, int)>& visit) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    int fd = -1;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(dir)) continue;
    sockaddr_storage local{};
    socklen_t size = sizeof(local);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) != 0) {
      continue;
    }
    std::string host;
    int port = 0;
    if (!Endpoint(local, &host, &port) || port != local_port) continue;
    sockaddr_storage peer{};
    size = sizeof(peer);
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) {
      continue;  // the listening socket
    }
    if (!Endpoint(peer, &host, &port)) continue;
    if (!visit(fd, host, port)) break;
  }
  closedir(dir);
}

}  // namespace

int FindConnectionSocket(int local_port, absl::string_view peer_address,
                         int peer_port) {
  int found = -1;
  ForEachConnection(local_port, [&](int fd, const std::string& host, int port) {
    if (port != peer_port || host != peer_address) {
      return true;
    }
    found = fd;
    return false;
  });
  return found;
}

void AbortConnection(int fd) {
  // With a zero linger time, closing a TCP socket sends RST instead of FIN.
  linger abort_on_close{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
             sizeof(abort_on_close));
  // Close the socket under its owner's feet without freeing the descriptor
  // number: dup2 puts the read end of a finished pipe in its place, so the
  // owner's next read sees end of file, its writes fail, and its own close()
  // releases the pipe. (Closing the descriptor itself could close another
  // file that reused the number.)
  int pipe_ends[2];
  if (pipe2(pipe_ends, O_CLOEXEC) == 0) {
    close(pipe_ends[1]);
    bool replaced = dup3(pipe_ends[0], fd, O_CLOEXEC) >= 0;
    close(pipe_ends[0]);
    if (replaced) return;
  }
  shutdown(fd, SHUT_RDWR);
}

void ShutdownConnectionsOnPort(int local_port) {
  ForEachConnection(local_port, [](int fd, const std::string&, int) {
    shutdown(fd, SHUT_RDWR);
    return true;
  });
}

}  // namespace ucgate::emulator
