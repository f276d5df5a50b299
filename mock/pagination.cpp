#include "mock/pagination.hpp"

#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>

namespace justifi::mock {

std::string encode_cursor(sort_key const& key)
{
    json::array pair{key.created_us, json::string(key.id)};
    return core::encoding::base64url_encode(json::serialize(pair));
}

std::optional<sort_key> decode_cursor(std::string_view text)
{
    auto const raw = core::encoding::base64url_decode(text);
    if (!raw) return std::nullopt;
    boost::system::error_code ec;
    auto const value = json::parse(*raw, ec);
    if (ec || !value.is_array()) return std::nullopt;
    auto const& pair = value.as_array();
    if (pair.size() != 2 || !pair[0].is_int64() || !pair[1].is_string()) return std::nullopt;
    return sort_key{pair[0].as_int64(), std::string(pair[1].as_string())};
}

outcome<page_request> parse_page_request(query_params const& query)
{
    page_request request;
    if (auto it = query.find("limit"); it != query.end()) {
        long long limit = 0;
        auto const& text = it->second;
        auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
        bool const numeric = ec == std::errc{} && end == text.data() + text.size();
        if (numeric || ec == std::errc::result_out_of_range) {
            if (ec != std::errc{} || limit < 1 || limit > 100)
                return bad_request("invalid_parameter", "limit must be between 1 and 100 (default 25)", "limit");
            request.limit = static_cast<std::size_t>(limit);
        }
    }
    auto const after = query.find("after_cursor");
    auto const before = query.find("before_cursor");
    bool const has_after = after != query.end() && !after->second.empty();
    bool const has_before = before != query.end() && !before->second.empty();
    if (has_after && has_before)
        return bad_request("invalid_parameter",
                           "after_cursor and before_cursor cannot be combined: page forward with after_cursor "
                           "(end_cursor of a page) or back with before_cursor (start_cursor of a page)",
                           "before_cursor");
    if (has_after) {
        request.after = decode_cursor(after->second);
        if (!request.after)
            return bad_request("invalid_parameter",
                               "after_cursor is not a cursor from this API; pass page_info.end_cursor unchanged",
                               "after_cursor");
    }
    if (has_before) {
        request.before = decode_cursor(before->second);
        if (!request.before)
            return bad_request("invalid_parameter",
                               "before_cursor is not a cursor from this API; pass page_info.start_cursor unchanged",
                               "before_cursor");
    }
    return request;
}

json::object page_info(page_window const& window, sort_key const* first, sort_key const* last)
{
    json::object info;
    info["has_previous"] = window.has_previous;
    info["has_next"] = window.has_next;
    info["start_cursor"] = first ? json::value(encode_cursor(*first)) : json::value(nullptr);
    info["end_cursor"] = last ? json::value(encode_cursor(*last)) : json::value(nullptr);
    return info;
}

}  // namespace justifi::mock
