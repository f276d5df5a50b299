// Cursor pagination the way JustiFi pages: newest first, `limit` (1-100, default 25),
// `after_cursor` (older items) or `before_cursor` (newer items), and page_info with
// has_previous/has_next/start_cursor/end_cursor. Sans-io: positions over sorted keys.
#pragma once

#include "mock/api_error.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::mock {

// Query parameters, decoded; the first occurrence of a name wins.
using query_params = std::map<std::string, std::string, std::less<>>;

// Where an object sits in a list: creation time, then id to break ties.
struct sort_key {
    std::int64_t created_us = 0;
    std::string id;

    friend bool operator==(sort_key const&, sort_key const&) = default;
    friend auto operator<=>(sort_key const& a, sort_key const& b)
    {
        if (auto c = a.created_us <=> b.created_us; c != 0) return c;
        return a.id.compare(b.id) <=> 0;
    }
};

struct page_request {
    std::size_t limit = 25;
    std::optional<sort_key> after;   // items older than this
    std::optional<sort_key> before;  // items newer than this
};

// Opaque to clients: base64url of [created_us, id], so a cursor stays valid when the
// object it names changes or new objects arrive.
std::string encode_cursor(sort_key const& key);
std::optional<sort_key> decode_cursor(std::string_view text);

// limit out of 1-100, both cursors, or a cursor this mock did not issue: 400 naming the
// parameter. A non-numeric limit falls back to 25, as the API documentation says.
outcome<page_request> parse_page_request(query_params const& query);

struct page_window {
    std::size_t begin = 0;  // [begin, end) of the newest-first sequence
    std::size_t end = 0;
    bool has_previous = false;
    bool has_next = false;
};

// `newest_first` must be sorted by descending key; `key_of` maps an item to its key.
template <class Item, class KeyOf>
page_window paginate(std::vector<Item> const& newest_first, page_request const& request, KeyOf key_of)
{
    auto const n = newest_first.size();
    page_window w;
    if (request.before) {
        // Items newer than the cursor come first; the page is the run right before it.
        auto const it = std::partition_point(newest_first.begin(), newest_first.end(),
                                             [&](Item const& item) { return key_of(item) > *request.before; });
        w.end = static_cast<std::size_t>(it - newest_first.begin());
        w.begin = w.end > request.limit ? w.end - request.limit : 0;
        w.has_previous = w.begin > 0;
        w.has_next = w.end < n;
        return w;
    }
    if (request.after) {
        auto const it = std::partition_point(newest_first.begin(), newest_first.end(),
                                             [&](Item const& item) { return key_of(item) >= *request.after; });
        w.begin = static_cast<std::size_t>(it - newest_first.begin());
    }
    w.end = std::min(n, w.begin + request.limit);
    w.has_previous = w.begin > 0;
    w.has_next = w.end < n;
    return w;
}

// {"has_previous", "has_next", "start_cursor", "end_cursor"}; cursors are null on an empty page.
boost::json::object page_info(page_window const& window, sort_key const* first, sort_key const* last);

}  // namespace justifi::mock
