// Low-level control of the emulator's accepted TCP connections, which the
// HTTP library does not expose: aborting one (the "connection reset" fault)
// and closing all of them at shutdown (so that idle keep-alive connections do
// not hold the server's worker threads).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ucgate::emulator {

// The descriptor of this process's TCP socket with these local and peer
// endpoints, or -1.
int FindConnectionSocket(int local_port, absl::string_view peer_address,
                         int peer_port);

// Resets the connection (RST, not FIN) while leaving the descriptor number
// in use for its owner to close: the peer sees "connection reset by peer".
void AbortConnection(int fd);

// Shuts down (both ways) every connected TCP socket of this process whose
// local port is `local_port`.
void ShutdownConnectionsOnPort(int local_port);

}  // namespace ucgate::emulator
