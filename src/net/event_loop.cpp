#include "net/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace medrtc::net {

EventLoop::EventLoop(const Clock& clock) : clock_(clock) {
  epollFd_ = epoll_create1(EPOLL_CLOEXEC);
  wakeFd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epollFd_ < 0 || wakeFd_ < 0) {
    throw std::runtime_error(std::string("event loop: ") + std::strerror(errno));
  }
  owner_ = std::this_thread::get_id();
  addFd(wakeFd_, EPOLLIN, [this](uint32_t) {
    uint64_t n;
    while (::read(wakeFd_, &n, sizeof n) > 0) {
    }
    runPostedTasks();
  });
}

EventLoop::~EventLoop() {
  ::close(wakeFd_);
  ::close(epollFd_);
}

void EventLoop::run() {
  owner_ = std::this_thread::get_id();
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (!stopping_.load(std::memory_order_acquire)) {
    int n = epoll_wait(epollFd_, events, kMaxEvents, millisUntilNextTimer());
    if (n < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      auto it = fdHandlers_.find(events[i].data.fd);
      if (it != fdHandlers_.end()) {
        // Copy: the handler may remove itself.
        FdHandler handler = it->second;
        handler(events[i].events);
      }
    }
    runDueTimers();
    if (afterEvents_) {
      afterEvents_();
    }
  }
  runPostedTasks();
  // Re-arm: a later run() on the same loop runs again (tests drive one loop through
  // several bounded phases). A stop() that comes before run() still makes it return at once.
  stopping_.store(false, std::memory_order_release);
}

void EventLoop::stop() {
  stopping_.store(true, std::memory_order_release);
  uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wakeFd_, &one, sizeof one);
}

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(postedMutex_);
    posted_.push_back(std::move(task));
  }
  pendingTasks_.fetch_add(1, std::memory_order_relaxed);
  uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wakeFd_, &one, sizeof one);
}

void EventLoop::runPostedTasks() {
  std::vector<Task> tasks;
  {
    std::lock_guard lock(postedMutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) {
    task();
    pendingTasks_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void EventLoop::addFd(int fd, uint32_t events, FdHandler handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    throw std::runtime_error(std::string("epoll_ctl add: ") + std::strerror(errno));
  }
  fdHandlers_[fd] = std::move(handler);
}

void EventLoop::removeFd(int fd) {
  epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  fdHandlers_.erase(fd);
}

EventLoop::TimerId EventLoop::runAfter(Micros delay, Task task) {
  TimerId id = nextTimerId_++;
  auto it = timers_.emplace(now() + delay, std::make_pair(id, std::move(task)));
  timerIndex_[id] = it;
  return id;
}

void EventLoop::cancelTimer(TimerId id) {
  auto it = timerIndex_.find(id);
  if (it == timerIndex_.end()) {
    return;
  }
  timers_.erase(it->second);
  timerIndex_.erase(it);
}

void EventLoop::runDueTimers() {
  Micros t = now();
  while (!timers_.empty() && timers_.begin()->first <= t) {
    auto node = timers_.extract(timers_.begin());
    timerIndex_.erase(node.mapped().first);
    node.mapped().second();
  }
}

int EventLoop::millisUntilNextTimer() const {
  if (timers_.empty()) {
    return 1000;
  }
  auto delta = timers_.begin()->first - now();
  if (delta.count() <= 0) {
    return 0;
  }
  // Round up so a timer never fires early.
  return static_cast<int>(std::min<int64_t>((delta.count() + 999) / 1000, 1000));
}

}  // namespace medrtc::net
