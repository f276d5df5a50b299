// Byte encodings and primitives shared by every layer: session tokens, JWT checks, header
// values and settings.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace justifi::core::encoding {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
// RFC 4648 section 4 (the "+/" alphabet) with its "=" padding, strictly: a length that is not a
// multiple of four, misplaced padding or a non-canonical final quantum is nullopt.
std::optional<std::string> base64_decode_padded(std::string_view text);

std::string hex_encode(std::string_view bytes);

// Cryptographically secure bytes from the kernel (getrandom(2)): faster per call here than
// OpenSSL's DRBG, whose first use costs a stdio process about 3 ms before its first answer.
std::string random_bytes(std::size_t n);

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data);
std::array<unsigned char, 32> sha256(std::string_view data);

bool constant_time_equal(std::string_view a, std::string_view b);

// At most `max_bytes` of `text` as valid UTF-8, for quoting untrusted bytes in JSON: a
// sequence is never cut in half, and a byte that starts no valid sequence becomes '?'.
std::string utf8_prefix(std::string_view text, std::size_t max_bytes);

// Length of the valid UTF-8 sequence at the start of `text` (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when there is none (or `text` is empty).
std::size_t utf8_sequence_length(std::string_view text);

// Whether all of `text` is UTF-8 as RFC 3629 has it (no overlongs, no surrogates).
bool is_utf8(std::string_view text);

// `utf8` as a JSON string, quotes included, appended to `out`: '"', '\\' and the control
// characters escaped as RFC 8259 asks, every other byte as it is. The caller vouches that the
// bytes are UTF-8. Vectorised where the CPU allows: a 40 KB answer's text twin is escaped on
// every call.
void append_json_string(std::string& out, std::string_view utf8);
// How many bytes append_json_string adds for `utf8`.
std::size_t json_string_size(std::string_view utf8);
// The same, with that size already known (a caller that sized its buffer with it).
void append_json_string(std::string& out, std::string_view utf8, std::size_t escaped_size);

// ASCII case folding, for names HTTP and our settings compare without case.
std::string ascii_lower(std::string_view text);

// `text` without the optional whitespace (space, tab) HTTP allows around a field value.
std::string_view trim_ows(std::string_view text);

}  // namespace justifi::core::encoding
