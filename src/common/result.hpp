#pragma once
// A value or a named error. Wire parsers return this instead of throwing: bad input from
// the network is an expected outcome, not an exceptional one. (std::expected is not
// usable here: clang 14, needed for libFuzzer, cannot compile libstdc++'s <expected>.)
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace medrtc {

template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<E> fail(E error) {
  return Unexpected<E>{error};
}

template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected<E> e) : state_(std::in_place_index<1>, e.error) {}   // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  E error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, E> state_;
};

// For operations that return nothing on success.
struct Ok {};

}  // namespace medrtc
