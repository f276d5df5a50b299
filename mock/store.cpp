#include "mock/store.hpp"

namespace justifi::mock {

store::store(std::uint64_t seed, std::int64_t anchor_us) : seed_(seed), anchor_us_(anchor_us)
{
    seed_dataset(data_, seed_, anchor_us_);
}

void store::reseed()
{
    dataset fresh;
    seed_dataset(fresh, seed_, anchor_us_);
    std::lock_guard lock(mutex_);
    data_ = std::move(fresh);
}

}  // namespace justifi::mock
