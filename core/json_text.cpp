#include "core/json_text.hpp"

#include "core/encoding.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace justifi::core::json_text {
namespace {

// Boost.JSON's basic_parser with events that only keep the outermost value's kind: the
// reference the fast checker defers to for numbers it cannot vouch for.
struct shape_recorder {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using ec_t = boost::system::error_code;
    using sv = boost::json::string_view;

    std::size_t events = 0;
    bool outermost_is_object = false;

    bool first(bool is_object)
    {
        if (events++ == 0) outermost_is_object = is_object;
        return true;
    }
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_array_begin(ec_t&) { return first(false); }
    bool on_array_end(std::size_t, ec_t&) { return true; }
    bool on_object_begin(ec_t&) { return first(true); }
    bool on_object_end(std::size_t, ec_t&) { return true; }
    bool on_string_part(sv, std::size_t, ec_t&) { return first(false); }
    bool on_string(sv, std::size_t, ec_t&) { return first(false); }
    bool on_key_part(sv, std::size_t, ec_t&) { return true; }
    bool on_key(sv, std::size_t, ec_t&) { return true; }
    bool on_number_part(sv, ec_t&) { return first(false); }
    bool on_int64(std::int64_t, sv, ec_t&) { return first(false); }
    bool on_uint64(std::uint64_t, sv, ec_t&) { return first(false); }
    bool on_double(double, sv, ec_t&) { return first(false); }
    bool on_bool(bool, ec_t&) { return first(false); }
    bool on_null(ec_t&) { return first(false); }
    bool on_comment_part(sv, ec_t&) { return true; }
    bool on_comment(sv, ec_t&) { return true; }
};

shape check_with_boost(std::string_view text)
{
    boost::json::basic_parser<shape_recorder> parser(boost::json::parse_options{});
    boost::system::error_code ec;
    auto const used = parser.write_some(false, text.data(), text.size(), ec);
    if (ec || used != text.size() || !parser.done()) return shape::invalid;
    return parser.handler().outermost_is_object ? shape::object : shape::other;
}

constexpr int max_depth = 32;  // boost::json::parse_options{}.max_depth

// Exponents of this many digits or more may overflow Boost.JSON's int accumulator; below it
// (with a text far shorter than two billion bytes) they cannot.
constexpr int exponent_digits_to_defer = 10;

enum class step { ok, invalid, defer };

class checker {
public:
    explicit checker(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

    step run(bool& outermost_is_object)
    {
        // Bit d of `objects` says whether the container at depth d is an object.
        std::uint64_t objects = 0;
        int depth = 0;
        skip_whitespace();
        if (at_ == end_) return step::invalid;
        outermost_is_object = *at_ == '{';
        for (;;) {
            // A value.
            skip_whitespace();
            if (at_ == end_) return step::invalid;
            switch (*at_) {
            case '{':
            case '[': {
                bool const object = *at_ == '{';
                if (++depth > max_depth) return step::invalid;
                if (object) objects |= std::uint64_t{1} << depth;
                else objects &= ~(std::uint64_t{1} << depth);
                ++at_;
                skip_whitespace();
                if (at_ != end_ && *at_ == (object ? '}' : ']')) {  // empty
                    ++at_;
                    --depth;
                    break;
                }
                if (object)
                    if (auto const s = key(); s != step::ok) return s;
                continue;
            }
            case '"':
                if (!string()) return step::invalid;
                break;
            case 't':
                if (!literal("true")) return step::invalid;
                break;
            case 'f':
                if (!literal("false")) return step::invalid;
                break;
            case 'n':
                if (!literal("null")) return step::invalid;
                break;
            default:
                if (auto const s = number(); s != step::ok) return s;
            }
            // After a value: the next member or element, or the end of containers.
            for (;;) {
                skip_whitespace();
                if (depth == 0) return at_ == end_ ? step::ok : step::invalid;
                if (at_ == end_) return step::invalid;
                bool const in_object = (objects >> depth) & 1;
                if (*at_ == ',') {
                    ++at_;
                    if (in_object) {
                        skip_whitespace();
                        if (auto const s = key(); s != step::ok) return s;
                    }
                    break;  // to the next value
                }
                if (*at_ != (in_object ? '}' : ']')) return step::invalid;
                ++at_;
                --depth;
            }
        }
    }

private:
    char const* at_;
    char const* end_;

    void skip_whitespace()
    {
        while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
    }

    // A member's name and its colon.
    step key()
    {
        if (at_ == end_ || *at_ != '"' || !string()) return step::invalid;
        skip_whitespace();
        if (at_ == end_ || *at_ != ':') return step::invalid;
        ++at_;
        return step::ok;
    }

    bool literal(std::string_view word)
    {
        if (static_cast<std::size_t>(end_ - at_) < word.size() || std::memcmp(at_, word.data(), word.size()) != 0)
            return false;
        at_ += word.size();
        return true;
    }

    static bool is_digit(char c) { return c >= '0' && c <= '9'; }

    std::size_t digits()
    {
        auto const* start = at_;
        while (at_ != end_ && is_digit(*at_)) ++at_;
        return static_cast<std::size_t>(at_ - start);
    }

    step number()
    {
        if (*at_ == '-') ++at_;
        if (at_ == end_) return step::invalid;
        if (*at_ == '0') ++at_;
        else if (digits() == 0) return step::invalid;
        if (at_ != end_ && *at_ == '.') {
            ++at_;
            if (digits() == 0) return step::invalid;
        }
        if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
            ++at_;
            if (at_ != end_ && (*at_ == '+' || *at_ == '-')) ++at_;
            auto const count = digits();
            if (count == 0) return step::invalid;
            if (count >= exponent_digits_to_defer) return step::defer;
        }
        return step::ok;
    }

    static int hex_value(char c)
    {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // The four hex digits of a \u escape (at_ past the 'u'), or -1.
    int code_unit()
    {
        if (end_ - at_ < 4) return -1;
        int unit = 0;
        for (int i = 0; i < 4; ++i) {
            auto const digit = hex_value(at_[i]);
            if (digit < 0) return -1;
            unit = unit * 16 + digit;
        }
        at_ += 4;
        return unit;
    }

    bool escape()  // at_ on the backslash
    {
        if (end_ - at_ < 2) return false;
        char const kind = at_[1];
        at_ += 2;
        switch (kind) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return true;
        case 'u': break;
        default: return false;
        }
        auto const unit = code_unit();
        if (unit < 0) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a trailing surrogate alone
        if (unit < 0xD800 || unit > 0xDBFF) return true;
        // A leading surrogate: its trailing one must follow.
        if (end_ - at_ < 2 || at_[0] != '\\' || at_[1] != 'u') return false;
        at_ += 2;
        auto const trailing = code_unit();
        return trailing >= 0xDC00 && trailing <= 0xDFFF;
    }

    // A string, at_ on its opening quote. Plain ASCII, the bulk of an answer, is skipped sixteen
    // bytes at a time.
    bool string()
    {
        ++at_;
        for (;;) {
#if defined(__SSE2__)
            auto const quotes = _mm_set1_epi8('"');
            auto const backslashes = _mm_set1_epi8('\\');
            auto const space = _mm_set1_epi8(0x20);
            while (end_ - at_ >= 16) {
                auto const data = _mm_loadu_si128(reinterpret_cast<__m128i const*>(at_));
                // Signed: bytes from 0x80 (UTF-8 to check) are below 0x20 as well as the controls.
                auto const stops = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(data, quotes), _mm_cmpeq_epi8(data, backslashes)),
                                                _mm_cmplt_epi8(data, space));
                auto const mask = static_cast<unsigned>(_mm_movemask_epi8(stops));
                if (mask != 0) {
                    at_ += std::countr_zero(mask);
                    break;
                }
                at_ += 16;
            }
#endif
            while (at_ != end_) {
                auto const c = static_cast<unsigned char>(*at_);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
                ++at_;
            }
            if (at_ == end_) return false;
            auto const c = static_cast<unsigned char>(*at_);
            if (c == '"') {
                ++at_;
                return true;
            }
            if (c == '\\') {
                if (!escape()) return false;
                continue;
            }
            if (c < 0x20) return false;
            auto const length = encoding::utf8_sequence_length(std::string_view(at_, static_cast<std::size_t>(end_ - at_)));
            if (length == 0) return false;
            at_ += length;
        }
    }
};

}  // namespace

shape check(std::string_view text)
{
    bool outermost_is_object = false;
    switch (checker(text).run(outermost_is_object)) {
    case step::ok: return outermost_is_object ? shape::object : shape::other;
    case step::invalid: return shape::invalid;
    case step::defer: break;
    }
    return check_with_boost(text);
}

}  // namespace justifi::core::json_text
