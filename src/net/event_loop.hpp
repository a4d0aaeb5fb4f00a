#pragma once
// One event loop per thread (epoll): file descriptors, timers, and tasks posted from other
// threads (woken through an eventfd). Objects that belong to a loop are touched only from
// its thread; other threads reach them with post().
#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"

namespace medrtc::net {

class EventLoop {
 public:
  using Task = std::function<void()>;
  using FdHandler = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;

  explicit EventLoop(const Clock& clock = SystemClock::instance());
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until stop(); the calling thread becomes the loop's thread. May be called again
  // after it returned.
  void run();
  // Thread-safe. Before run(), makes the next run() return at once.
  void stop();
  // Thread-safe: runs `task` on the loop's thread, in order.
  void post(Task task);
  bool isInLoopThread() const { return std::this_thread::get_id() == owner_.load(); }

  // Called after every batch of events: flush batched sends here.
  void setAfterEventsHook(Task hook) { afterEvents_ = std::move(hook); }

  void addFd(int fd, uint32_t events, FdHandler handler);
  void removeFd(int fd);

  TimerId runAfter(Micros delay, Task task);
  void cancelTimer(TimerId id);

  Micros now() const { return clock_.now(); }
  // Thread-safe: tasks posted and not yet finished (the queue depth /metrics shows).
  size_t pendingTasks() const { return pendingTasks_.load(std::memory_order_relaxed); }
  const Clock& clock() const { return clock_; }

 private:
  void runPostedTasks();
  void runDueTimers();
  int millisUntilNextTimer() const;

  const Clock& clock_;
  int epollFd_ = -1;
  int wakeFd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<std::thread::id> owner_{};

  std::mutex postedMutex_;
  std::vector<Task> posted_;
  std::atomic<size_t> pendingTasks_{0};

  std::unordered_map<int, FdHandler> fdHandlers_;
  // Deadline → (id, task). A multimap keeps timers with equal deadlines in insertion order.
  std::multimap<Micros, std::pair<TimerId, Task>> timers_;
  std::unordered_map<TimerId, std::multimap<Micros, std::pair<TimerId, Task>>::iterator> timerIndex_;
  TimerId nextTimerId_ = 1;
  Task afterEvents_;
};

}  // namespace medrtc::net
