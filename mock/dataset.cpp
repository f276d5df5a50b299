#include "mock/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace justifi::mock {

record* collection::find(std::string_view id)
{
    auto const it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
}

record const* collection::find(std::string_view id) const
{
    auto const it = index_.find(id);
    return it == index_.end() ? nullptr : it->second;
}

record* collection::add(record r)
{
    auto owned = std::make_unique<record>(std::move(r));
    auto* const raw = owned.get();
    // Objects created at run time are the newest: the common case is an append.
    auto const at = std::upper_bound(items_.begin(), items_.end(), raw->key,
                                     [](sort_key const& k, std::unique_ptr<record> const& item) { return k < item->key; });
    items_.insert(at, std::move(owned));
    index_[raw->key.id] = raw;
    return raw;
}

void collection::clear()
{
    items_.clear();
    index_.clear();
}

namespace {

// Howard Hinnant's civil-calendar algorithms.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    std::int64_t const era = (y >= 0 ? y : y - 399) / 400;
    auto const yoe = static_cast<unsigned>(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil {
    std::int64_t year;
    unsigned month, day, hour, minute, second;
};

civil civil_from_us(std::int64_t us)
{
    std::int64_t secs = us / us_per_second;
    if (us < 0 && us % us_per_second) --secs;
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    std::int64_t const z = days + 719468;
    std::int64_t const era = (z >= 0 ? z : z - 146096) / 146097;
    auto const doe = static_cast<unsigned>(z - era * 146097);
    unsigned const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned const mp = (5 * doy + 2) / 153;
    unsigned const d = doy - (153 * mp + 2) / 5 + 1;
    unsigned const m = mp < 10 ? mp + 3 : mp - 9;
    std::int64_t const y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    return {y, m, d, static_cast<unsigned>(rem / 3600), static_cast<unsigned>(rem % 3600 / 60), static_cast<unsigned>(rem % 60)};
}

bool read_digits(std::string_view& s, std::size_t n, int& out)
{
    if (s.size() < n) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        out = out * 10 + (s[i] - '0');
    }
    s.remove_prefix(n);
    return true;
}

bool expect(std::string_view& s, char c)
{
    if (s.empty() || s.front() != c) return false;
    s.remove_prefix(1);
    return true;
}

}  // namespace

std::string iso8601(std::int64_t us)
{
    auto const c = civil_from_us(us);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02u:%02u:%02uZ", static_cast<long long>(c.year), c.month, c.day,
                  c.hour, c.minute, c.second);
    return buf;
}

std::string iso_date(std::int64_t us)
{
    auto const c = civil_from_us(us);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(c.year), c.month, c.day);
    return buf;
}

std::optional<std::int64_t> parse_timestamp(std::string_view s)
{
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, 4, year) || !expect(s, '-') || !read_digits(s, 2, month) || !expect(s, '-') ||
        !read_digits(s, 2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    std::int64_t offset_seconds = 0;
    std::int64_t fraction_us = 0;
    if (!s.empty()) {
        if (s.front() != 'T' && s.front() != 't' && s.front() != ' ') return std::nullopt;
        s.remove_prefix(1);
        if (!read_digits(s, 2, hour) || !expect(s, ':') || !read_digits(s, 2, minute)) return std::nullopt;
        if (!s.empty() && s.front() == ':' && (s.remove_prefix(1), !read_digits(s, 2, second))) return std::nullopt;
        if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
        if (!s.empty() && s.front() == '.') {
            s.remove_prefix(1);
            std::int64_t scale = 100'000;
            bool any = false;
            while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front()))) {
                fraction_us += (s.front() - '0') * scale;
                scale /= 10;
                s.remove_prefix(1);
                any = true;
            }
            if (!any) return std::nullopt;
        }
        if (s == "Z" || s == "z") {
            s = {};
        } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
            int const sign = s.front() == '-' ? -1 : 1;
            s.remove_prefix(1);
            int oh = 0, om = 0;
            if (!read_digits(s, 2, oh)) return std::nullopt;
            if (!s.empty() && s.front() == ':') s.remove_prefix(1);
            if (!read_digits(s, 2, om)) return std::nullopt;
            offset_seconds = sign * (oh * 3600 + om * 60);
        }
        if (!s.empty()) return std::nullopt;
    }
    auto const days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    std::int64_t const secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
    return secs * us_per_second + fraction_us;
}

std::int64_t wall_clock_us()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t start_of_day_us(std::int64_t us) { return us - ((us % us_per_day) + us_per_day) % us_per_day; }

}  // namespace justifi::mock
