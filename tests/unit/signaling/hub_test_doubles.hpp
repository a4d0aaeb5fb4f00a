#pragma once
// Small doubles the hub tests share: a socket that keeps what the hub sent it, and the
// "control thread" a store pool posts its completions to (the test thread runs them).
#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling::testing {

// Keeps every message the hub sent (parsed) and the close code, if it closed.
class RecordingSocket final : public PeerSocket {
 public:
  void sendText(std::string text) override { sent.push_back(boost::json::parse(text).as_object()); }
  void close(uint16_t code, std::string_view) override { closeCode = code; }

  // Messages of `type` received so far.
  std::vector<boost::json::object> ofType(std::string_view type) const {
    std::vector<boost::json::object> out;
    for (const auto& m : sent) {
      if (m.at("type").as_string() == type) {
        out.push_back(m);
      }
    }
    return out;
  }
  std::string lastType() const { return sent.empty() ? "" : std::string(sent.back().at("type").as_string()); }

  std::vector<boost::json::object> sent;
  std::optional<uint16_t> closeCode;
};

// What a store pool posts from its threads; the test thread runs it.
class PostedTasks {
 public:
  void post(std::function<void()> task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    cv_.notify_all();
  }
  // Runs one posted task, waiting up to 5 s for it; false when none came.
  bool runOne() {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::seconds(5), [this] { return !tasks_.empty(); })) {
        return false;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    return true;
  }
  // Runs what is already there without waiting.
  void runReady() {
    for (;;) {
      std::function<void()> task;
      {
        std::lock_guard lock(mutex_);
        if (tasks_.empty()) {
          return;
        }
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

}  // namespace medrtc::signaling::testing
