#include "sfu/freeze_counter.hpp"

#include <algorithm>

namespace medrtc::sfu {

void FreezeCounter::onFrame(Micros now) {
  if (!started_) {
    started_ = true;
    lastFrame_ = now;
    return;
  }
  int64_t delay = (now - lastFrame_).count();
  lastFrame_ = now;
  if (count_ >= kMinFrames) {
    int64_t average = sum_ / static_cast<int64_t>(count_);
    if (delay >= std::max(3 * average, average + 150'000)) {
      ++freezes_;
    }
  }
  // The freeze itself enters the average, as in Chromium's VideoReceiveStream: after a
  // long freeze the next normal gap is not mistaken for another.
  if (count_ == kWindow) {
    sum_ -= delays_[next_];
  } else {
    ++count_;
  }
  delays_[next_] = delay;
  sum_ += delay;
  next_ = (next_ + 1) % kWindow;
}

}  // namespace medrtc::sfu
