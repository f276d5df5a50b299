// The one dataset and the mutex that guards it. Operations run inside run(), which holds
// the lock for the synchronous work only: no handler ever awaits while holding it.
#pragma once

#include "mock/dataset.hpp"

#include <cstdint>
#include <mutex>
#include <utility>

namespace justifi::mock {

class store {
public:
    store(std::uint64_t seed, std::int64_t anchor_us);

    template <class F>
    auto run(F&& f)
    {
        std::lock_guard lock(mutex_);
        return std::forward<F>(f)(data_);
    }

    // Back to the seeded state, for a test suite that wants a clean world.
    void reseed();

    std::uint64_t seed() const { return seed_; }

private:
    std::mutex mutex_;
    dataset data_;
    std::uint64_t seed_;
    std::int64_t anchor_us_;
};

}  // namespace justifi::mock
