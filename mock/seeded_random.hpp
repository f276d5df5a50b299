// A small deterministic generator (splitmix64). std:: distributions differ between
// standard libraries; this gives the same data for the same seed everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::mock {

class seeded_random {
public:
    explicit seeded_random(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Inclusive; the modulo bias is irrelevant at these ranges.
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        if (hi <= lo) return lo;
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return unit() < p; }
    template <class T>
    T const& pick(std::vector<T> const& items)
    {
        return items[static_cast<std::size_t>(next() % items.size())];
    }
    // Index chosen by weight.
    std::size_t weighted(std::vector<double> const& weights)
    {
        double total = 0;
        for (double w : weights) total += w;
        double x = unit() * total;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (x < weights[i]) return i;
            x -= weights[i];
        }
        return weights.size() - 1;
    }
    // JustiFi-style id: prefix and 22 base62 characters, e.g. py_438xBom2Drh55kE1WfyGLg.
    std::string id(std::string_view prefix)
    {
        static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        std::string out(prefix);
        for (int i = 0; i < 22; ++i) out.push_back(alphabet[next() % 62]);
        return out;
    }
    std::string digits(std::size_t n)
    {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>('0' + next() % 10));
        return out;
    }

private:
    std::uint64_t state_;
};

}  // namespace justifi::mock
