// Ending a thread owned by an object that one of its own tasks may destroy.
#pragma once

#include <thread>

namespace ucgate {

// Joins `thread`, unless this is that thread (a task held the last owner of
// the object destroying it): joining itself would deadlock, so it is detached
// and leaves as soon as its task returns. Owners keep the thread's state in a
// shared block so that it outlives them.
inline void JoinUnlessSelf(std::thread& thread) {
  if (thread.get_id() == std::this_thread::get_id()) {
    thread.detach();
  } else {
    thread.join();
  }
}

}  // namespace ucgate
