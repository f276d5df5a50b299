// Byte encodings and crypto primitives, checked against published test vectors.
#include "core/encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace enc = justifi::core::encoding;

namespace {

std::string hex(std::array<unsigned char, 32> const& digest)
{
    return enc::hex_encode({reinterpret_cast<char const*>(digest.data()), digest.size()});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(encoding)

BOOST_AUTO_TEST_CASE(utf8_prefix_keeps_whole_characters_and_replaces_bytes_that_are_not_utf8)
{
    BOOST_TEST(enc::utf8_prefix("plain", 10) == "plain");
    BOOST_TEST(enc::utf8_prefix("plain", 3) == "pla");
    BOOST_TEST(enc::utf8_prefix("ab\xD1\x8E", 3) == "ab");           // "ю" does not fit: not cut
    BOOST_TEST(enc::utf8_prefix("ab\xD1\x8E", 4) == "ab\xD1\x8E");
    BOOST_TEST(enc::utf8_prefix("\xF0\x9F\x92\xB3!", 4) == "\xF0\x9F\x92\xB3");  // a 4-byte character
    BOOST_TEST(enc::utf8_prefix("caf\xE9 au lait", 100) == "caf? au lait");   // Latin-1, as an error page may be
    BOOST_TEST(enc::utf8_prefix("\xD1", 5) == "?");                          // cut short upstream
    BOOST_TEST(enc::utf8_prefix("\xC0\xAF", 5) == "??");                     // overlong '/'
    BOOST_TEST(enc::utf8_prefix("\xED\xA0\x80", 5) == "???");               // a surrogate
    BOOST_TEST(enc::utf8_prefix("\xF4\x90\x80\x80", 5) == "????");         // above U+10FFFF
    BOOST_TEST(enc::utf8_prefix("", 5).empty());
}

BOOST_AUTO_TEST_CASE(base64url_rfc4648_vectors)
{
    // RFC 4648 section 10, without the padding base64url drops.
    BOOST_TEST(enc::base64url_encode("") == "");
    BOOST_TEST(enc::base64url_encode("f") == "Zg");
    BOOST_TEST(enc::base64url_encode("fo") == "Zm8");
    BOOST_TEST(enc::base64url_encode("foo") == "Zm9v");
    BOOST_TEST(enc::base64url_encode("foob") == "Zm9vYg");
    BOOST_TEST(enc::base64url_encode("fooba") == "Zm9vYmE");
    BOOST_TEST(enc::base64url_encode("foobar") == "Zm9vYmFy");
    BOOST_TEST(enc::base64url_decode("Zm9vYmFy").value_or("?") == "foobar");
    BOOST_TEST(enc::base64url_decode("Zm9vYg").value_or("?") == "foob");
    BOOST_TEST(enc::base64url_decode("").value_or("?") == "");
}

BOOST_AUTO_TEST_CASE(padded_base64_is_decoded_strictly)
{
    // RFC 4648 section 10, with padding; and MCP's sentinel examples.
    BOOST_TEST(enc::base64_decode_padded("").value_or("?") == "");
    BOOST_TEST(enc::base64_decode_padded("Zg==").value_or("?") == "f");
    BOOST_TEST(enc::base64_decode_padded("Zm8=").value_or("?") == "fo");
    BOOST_TEST(enc::base64_decode_padded("Zm9vYmFy").value_or("?") == "foobar");
    BOOST_TEST(enc::base64_decode_padded("SGVsbG8sIOS4lueVjA==").value_or("?") == "Hello, \xe4\xb8\x96\xe7\x95\x8c");
    BOOST_TEST(enc::base64_decode_padded("+/+/").value_or("?") == "\xfb\xff\xbf");
    for (auto const* bad : {"SGVsbG8", "SGVsbG8==", "Zg=", "Zg===", "====", "Z===", "Zh==", "SGVs!!!bG8=", "-_-_", "Zg==Zg==", "Z=g="})
        BOOST_TEST(!enc::base64_decode_padded(bad), bad);
}

BOOST_AUTO_TEST_CASE(base64url_uses_url_safe_alphabet)
{
    // Bytes whose standard base64 is "+/+/": base64url must say "-_-_".
    BOOST_TEST(enc::base64url_encode("\xfb\xff\xbf") == "-_-_");
    BOOST_TEST(enc::base64url_decode("-_-_").value_or("?") == "\xfb\xff\xbf");
}

BOOST_AUTO_TEST_CASE(base64url_round_trip_all_lengths)
{
    // Every remainder mod 3, and every byte value, including NUL and high bytes.
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        auto const encoded = enc::base64url_encode(bytes);
        BOOST_TEST(encoded.size() == (bytes.size() * 4 + 2) / 3, "length " << bytes.size());
        BOOST_TEST(encoded.find('=') == std::string::npos);
        auto const decoded = enc::base64url_decode(encoded);
        BOOST_REQUIRE_MESSAGE(decoded, "decode failed at length " << bytes.size());
        BOOST_TEST((*decoded == bytes), "length " << bytes.size());
        bytes.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
    }
}

BOOST_AUTO_TEST_CASE(base64url_rejects_noncanonical)
{
    // "Zg" is "f"; "Zh".."Zv" carry non-zero trailing bits that a canonical encoder never emits.
    BOOST_TEST(!enc::base64url_decode("Zh"));
    BOOST_TEST(!enc::base64url_decode("Zv"));
    // "Zm8" is "fo"; "Zm9" has a stray low bit.
    BOOST_TEST(!enc::base64url_decode("Zm9"));
    BOOST_TEST(enc::base64url_decode("Zm8").has_value());
}

BOOST_AUTO_TEST_CASE(base64url_rejects_padding_and_foreign_characters)
{
    BOOST_TEST(!enc::base64url_decode("Zg=="));
    BOOST_TEST(!enc::base64url_decode("Zm8="));
    // Standard-alphabet characters are not base64url.
    BOOST_TEST(!enc::base64url_decode("+/+/"));
    BOOST_TEST(!enc::base64url_decode("Zm 9v"));
    BOOST_TEST(!enc::base64url_decode("Zm9v\n"));
    BOOST_TEST(!enc::base64url_decode(std::string_view("Zm\0v", 4)));
}

BOOST_AUTO_TEST_CASE(base64url_rejects_impossible_length)
{
    // One character past a group can encode no whole byte.
    BOOST_TEST(!enc::base64url_decode("Z"));
    BOOST_TEST(!enc::base64url_decode("Zm9vY"));
}

BOOST_AUTO_TEST_CASE(hex_encode_is_lowercase_two_digits_per_byte)
{
    BOOST_TEST(enc::hex_encode(std::string_view("\x00\x0f\x10\xff", 4)) == "000f10ff");
    BOOST_TEST(enc::hex_encode("") == "");
    BOOST_TEST(enc::hex_encode("AZ") == "415a");
}

BOOST_AUTO_TEST_CASE(sha256_known_vectors)
{
    // FIPS 180-2 examples.
    BOOST_TEST(hex(enc::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(hex(enc::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(hmac_sha256_rfc4231_vectors)
{
    // RFC 4231 test case 2: a short key.
    BOOST_TEST(hex(enc::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // RFC 4231 test case 6: a key longer than the block size is hashed first.
    BOOST_TEST(hex(enc::hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")) ==
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

BOOST_AUTO_TEST_CASE(hmac_depends_on_key_and_data)
{
    BOOST_TEST(hex(enc::hmac_sha256("k1", "data")) != hex(enc::hmac_sha256("k2", "data")));
    BOOST_TEST(hex(enc::hmac_sha256("k1", "data")) != hex(enc::hmac_sha256("k1", "data!")));
}

BOOST_AUTO_TEST_CASE(random_bytes_have_requested_length_and_vary)
{
    BOOST_TEST(enc::random_bytes(0).empty());
    BOOST_TEST(enc::random_bytes(12).size() == 12u);
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) seen.insert(enc::random_bytes(16));
    BOOST_TEST(seen.size() == 20u);
}

BOOST_AUTO_TEST_CASE(constant_time_equal_compares_content_and_length)
{
    BOOST_TEST(enc::constant_time_equal("abc", "abc"));
    BOOST_TEST(enc::constant_time_equal("", ""));
    BOOST_TEST(!enc::constant_time_equal("abc", "abd"));
    BOOST_TEST(!enc::constant_time_equal("abc", "ab"));
    BOOST_TEST(!enc::constant_time_equal("", "a"));
    BOOST_TEST(!enc::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

BOOST_AUTO_TEST_CASE(is_utf8_agrees_with_rfc_3629)
{
    for (auto const* good : {"", "plain", "caf\xc3\xa9", "\xe4\xb8\x96", "\xf0\x9f\x92\xb3", "\xf4\x8f\xbf\xbf"})
        BOOST_TEST(enc::is_utf8(good), good);
    // A lone continuation, a cut sequence, an overlong '/', a surrogate, above U+10FFFF, 0xFF.
    for (auto const* bad : {"\x80", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xff"})
        BOOST_TEST(!enc::is_utf8(bad), bad);
}

BOOST_AUTO_TEST_CASE(ascii_lower_folds_only_ascii_and_trim_ows_only_spaces_and_tabs)
{
    BOOST_TEST(enc::ascii_lower("Mcp-Param-Sub-ACCOUNT") == "mcp-param-sub-account");
    BOOST_TEST(enc::ascii_lower("CAF\xc3\x89") == "caf\xc3\x89");  // UTF-8 bytes untouched
    BOOST_TEST(enc::trim_ows(" \t value \t") == "value");
    BOOST_TEST(enc::trim_ows("in side") == "in side");
    BOOST_TEST(enc::trim_ows("\r\nx\r\n") == "\r\nx\r\n");
    BOOST_TEST(enc::trim_ows(" \t ").empty());
}

BOOST_AUTO_TEST_CASE(append_json_string_writes_what_boost_json_writes_at_every_length_and_alignment)
{
    namespace json = boost::json;
    // Every byte that needs escaping, UTF-8 sequences of each length, and plain ASCII, mixed at
    // random: lengths around the eight-byte words, and special bytes at every position in them.
    std::vector<std::string> const pieces = {"a", "Z", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t",
                                             std::string(1, '\0'), "\x01", "\x1f", "\x7f", "caf\xc3\xa9",
                                             "\xe4\xb8\x96", "\xf0\x9f\x92\xb3", "plain text", "{\"id\":"};
    std::mt19937 random(20261206);
    for (int round = 0; round < 4000; ++round) {
        std::string text;
        auto const count = random() % 24;
        for (unsigned i = 0; i < count; ++i) text += pieces[random() % pieces.size()];
        std::string out = "prefix:";
        enc::append_json_string(out, text);
        auto const expected = json::serialize(json::string_view(text));
        BOOST_REQUIRE_MESSAGE(out == "prefix:" + expected, "for " << json::serialize(json::string_view(text)));
        BOOST_TEST(enc::json_string_size(text) == expected.size());
        BOOST_TEST(json::parse(out.substr(7)).as_string() == text);
    }
    std::string empty;
    enc::append_json_string(empty, "");
    BOOST_TEST(empty == R"("")");
    // A 40 KB JSON answer, as a tool result's text twin carries it.
    std::string answer = R"({"data":[)";
    while (answer.size() < 40000) answer += R"({"id":"py_1","description":"Pony \"rental\"\n","amount":100},)";
    answer.back() = ']';
    answer += '}';
    std::string twin;
    enc::append_json_string(twin, answer);
    BOOST_TEST(twin == json::serialize(json::string_view(answer)));
}

BOOST_AUTO_TEST_SUITE_END()
