#include "core/encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <stdexcept>
#include <string>

#include <sys/random.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace justifi::core::encoding {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

}  // namespace

std::string base64url_encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t n = (std::uint8_t(bytes[i]) << 16) | (std::uint8_t(bytes[i + 1]) << 8) | std::uint8_t(bytes[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    std::size_t const rest = bytes.size() - i;
    if (rest == 1) {
        std::uint32_t n = std::uint8_t(bytes[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
    } else if (rest == 2) {
        std::uint32_t n = (std::uint8_t(bytes[i]) << 16) | (std::uint8_t(bytes[i + 1]) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text)
{
    // Unpadded only, as JWTs and our tokens use it; a stray '=' is malformed.
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = decode_char(c);
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | std::uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((acc >> bits) & 0xFF);
        }
    }
    // Non-zero leftover bits mean a non-canonical encoding.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::optional<std::string> base64_decode_padded(std::string_view text)
{
    if (text.size() % 4 != 0) return std::nullopt;
    auto const data_end = text.find_last_not_of('=');
    std::size_t const padding = data_end == std::string_view::npos ? text.size() : text.size() - data_end - 1;
    if (padding > 2) return std::nullopt;
    // The same bits as base64url, once the two alphabets' differences are swapped over.
    std::string unpadded(text.substr(0, text.size() - padding));
    for (char& c : unpadded) {
        if (c == '-' || c == '_') return std::nullopt;
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return base64url_decode(unpadded);
}

std::string hex_encode(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::string random_bytes(std::size_t n)
{
    std::string out(n, '\0');
    std::size_t filled = 0;
    while (filled < n) {
        // Blocks only until the kernel's pool is first seeded at boot; a signal may cut it short.
        auto const got = ::getrandom(out.data() + filled, n - filled, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed: errno " + std::to_string(errno));
        }
        filled += static_cast<std::size_t>(got);
    }
    return out;
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data)
{
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<unsigned char const*>(data.data()), data.size(), out.data(), &len) ||
        len != out.size())
        throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    return out;
}

std::array<unsigned char, 32> sha256(std::string_view data)
{
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    if (!EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) || len != out.size())
        throw std::runtime_error("OpenSSL SHA-256 failed");
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::size_t utf8_sequence_length(std::string_view text)
{
    auto const byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    auto const continuation = [&](std::size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
    if (text.empty()) return 0;
    unsigned char const lead = byte(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (!continuation(1) || !continuation(2)) return 0;
        if (lead == 0xE0 && byte(1) < 0xA0) return 0;  // overlong
        if (lead == 0xED && byte(1) > 0x9F) return 0;  // a surrogate
        return 3;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (lead == 0xF0 && byte(1) < 0x90) return 0;  // overlong
        if (lead == 0xF4 && byte(1) > 0x8F) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

std::string utf8_prefix(std::string_view text, std::size_t max_bytes)
{
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    while (!text.empty()) {
        auto const length = utf8_sequence_length(text);
        auto const piece = length == 0 ? std::size_t{1} : length;
        if (out.size() + piece > max_bytes) break;
        if (length == 0) out += '?';
        else out.append(text.data(), length);
        text.remove_prefix(piece);
    }
    return out;
}

bool is_utf8(std::string_view text)
{
    while (!text.empty()) {
        auto const length = utf8_sequence_length(text);
        if (length == 0) return false;
        text.remove_prefix(length);
    }
    return true;
}

namespace {

// What escaping adds to a byte: 1 for \" \\ \b \f \n \r \t, 5 for the other controls (\u00XX).
constexpr auto escape_extra = [] {
    std::array<unsigned char, 256> extra{};
    for (int c = 0; c < 0x20; ++c) extra[c] = 5;
    for (char c : {'"', '\\', '\b', '\f', '\n', '\r', '\t'}) extra[static_cast<unsigned char>(c)] = 1;
    return extra;
}();

char* write_escape(char* out, unsigned char c)
{
    *out++ = '\\';
    switch (c) {
    case '"': *out++ = '"'; break;
    case '\\': *out++ = '\\'; break;
    case '\b': *out++ = 'b'; break;
    case '\f': *out++ = 'f'; break;
    case '\n': *out++ = 'n'; break;
    case '\r': *out++ = 'r'; break;
    case '\t': *out++ = 't'; break;
    default:
        constexpr char hex[] = "0123456789abcdef";
        *out++ = 'u';
        *out++ = '0';
        *out++ = '0';
        *out++ = hex[c >> 4];
        *out++ = hex[c & 0xf];
    }
    return out;
}

// Bytes [i, n) one at a time: the tail, and whole strings where no vector path applies.
char* escape_bytes(char const* in, std::size_t i, std::size_t n, char* to)
{
    for (; i < n; ++i) {
        auto const c = static_cast<unsigned char>(in[i]);
        if (escape_extra[c] != 0) to = write_escape(to, c);
        else *to++ = static_cast<char>(c);
    }
    return to;
}

std::size_t extra_of_bytes(char const* in, std::size_t i, std::size_t n)
{
    std::size_t extra = 0;
    for (; i < n; ++i) extra += escape_extra[static_cast<unsigned char>(in[i])];
    return extra;
}

#if defined(__x86_64__) && defined(__GNUC__)
// JSON answers are one quote in eight bytes: a loop that branches per quote mispredicts on most
// of them. SSSE3 (every x86-64 CPU since 2006, checked at run time) inserts the backslashes of
// eight bytes with one shuffle, without a branch.

// For each set of quote and backslash positions among eight bytes, the shuffle that writes a
// backslash (lane 8 of the source) before each of them.
alignas(16) constexpr auto backslash_shuffles = [] {
    std::array<std::array<signed char, 16>, 256> shuffles{};
    for (int mask = 0; mask < 256; ++mask) {
        int lane = 0;
        for (int byte = 0; byte < 8; ++byte) {
            if (mask & (1 << byte)) shuffles[mask][lane++] = 8;
            shuffles[mask][lane++] = static_cast<signed char>(byte);
        }
        while (lane < 16) shuffles[mask][lane++] = -1;
    }
    return shuffles;
}();

bool const has_ssse3 = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("popcnt");

// Sixteen bytes at a time while sixteen are left; returns what escaping adds to them, i moved on.
__attribute__((target("ssse3,popcnt"))) std::size_t extra_of_blocks(char const* in, std::size_t& i, std::size_t n)
{
    auto const quotes = _mm_set1_epi8('"');
    auto const backslashes = _mm_set1_epi8('\\');
    auto const last_control = _mm_set1_epi8(0x1f);
    std::size_t extra = 0;
    for (; i + 16 <= n; i += 16) {
        auto const data = _mm_loadu_si128(reinterpret_cast<__m128i const*>(in + i));
        auto const self_escaped = _mm_or_si128(_mm_cmpeq_epi8(data, quotes), _mm_cmpeq_epi8(data, backslashes));
        auto const control = _mm_cmpeq_epi8(_mm_max_epu8(data, last_control), last_control);
        extra += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(_mm_movemask_epi8(self_escaped))));
        if (_mm_movemask_epi8(control) != 0) [[unlikely]] {
            for (std::size_t j = i; j < i + 16; ++j)
                if (static_cast<unsigned char>(in[j]) < 0x20) extra += escape_extra[static_cast<unsigned char>(in[j])];
        }
    }
    return extra;
}

// Eight bytes at a time while sixteen are left (each step stores sixteen: what is left to write
// is at least what is left to read, plus the closing quote).
__attribute__((target("ssse3,popcnt"))) char* escape_blocks(char const* in, std::size_t& i, std::size_t n, char* to)
{
    auto const quotes = _mm_set1_epi8('"');
    auto const backslashes = _mm_set1_epi8('\\');
    auto const last_control = _mm_set1_epi8(0x1f);
    for (; i + 16 <= n; i += 8) {
        auto const data = _mm_loadl_epi64(reinterpret_cast<__m128i const*>(in + i));
        auto const control = _mm_cmpeq_epi8(_mm_max_epu8(data, last_control), last_control);
        if ((_mm_movemask_epi8(control) & 0xff) != 0) [[unlikely]] {
            to = escape_bytes(in, i, i + 8, to);
            continue;
        }
        auto const self_escaped = _mm_or_si128(_mm_cmpeq_epi8(data, quotes), _mm_cmpeq_epi8(data, backslashes));
        auto const mask = static_cast<unsigned>(_mm_movemask_epi8(self_escaped)) & 0xff;
        auto const source = _mm_unpacklo_epi64(data, backslashes);
        auto const shuffle = _mm_load_si128(reinterpret_cast<__m128i const*>(backslash_shuffles[mask].data()));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm_shuffle_epi8(source, shuffle));
        to += 8 + std::popcount(mask);
    }
    return to;
}
#endif

}  // namespace

std::size_t json_string_size(std::string_view utf8)
{
    auto const* in = utf8.data();
    auto const size = utf8.size();
    std::size_t i = 0;
    std::size_t total = size + 2;
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_ssse3) total += extra_of_blocks(in, i, size);
#endif
    return total + extra_of_bytes(in, i, size);
}

void append_json_string(std::string& out, std::string_view utf8)
{
    append_json_string(out, utf8, json_string_size(utf8));
}

void append_json_string(std::string& out, std::string_view utf8, std::size_t escaped_size)
{
    auto const start = out.size();
    out.resize(start + escaped_size);
    auto const* in = utf8.data();
    auto const size = utf8.size();
    char* to = out.data() + start;
    *to++ = '"';
    std::size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
    if (has_ssse3) to = escape_blocks(in, i, size, to);
#endif
    to = escape_bytes(in, i, size, to);
    *to = '"';
}

std::string ascii_lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim_ows(std::string_view text)
{
    auto const first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace justifi::core::encoding
