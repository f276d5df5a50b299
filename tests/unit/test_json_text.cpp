// The fast JSON checker against Boost.JSON's parser, the reference it must agree with byte for
// byte: hand-picked edges, then documents built and broken at random.
#include "core/json_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
using justifi::core::json_text::check;
using justifi::core::json_text::shape;

namespace {

shape reference(std::string_view text)
{
    boost::system::error_code ec;
    auto const value = json::parse(text, ec);
    if (ec) return shape::invalid;
    return value.is_object() ? shape::object : shape::other;
}

char const* name(shape s)
{
    switch (s) {
    case shape::object: return "object";
    case shape::other: return "other";
    case shape::invalid: break;
    }
    return "invalid";
}

void agree(std::string const& text)
{
    auto const expected = reference(text);
    auto const got = check(text);
    BOOST_TEST_REQUIRE((got == expected), "for " << json::serialize(json::string_view(text)) << ": checker says "
                                                  << name(got) << ", Boost.JSON " << name(expected));
}

// A random JSON value: containers nest up to `depth`, scalars cover every grammar branch.
void random_value(std::mt19937& random, int depth, std::string& out)
{
    static std::vector<std::string> const scalars = {
        "0", "-0", "12", "-7", "3.25", "1e5", "-2.5E-3", "1E+2", "123456789012345678901234567890", "1e400",
        "true", "false", "null", R"("")", R"("plain")", R"("caf\u00e9")", R"("\ud83d\ude00")",
        R"("\"\\\/\b\f\n\r\t")", "\"caf\xc3\xa9 \xe4\xb8\x96 \xf0\x9f\x92\xb3\"",
        R"("a string long enough to take the sixteen-byte path, and then some more")"};
    auto const kind = depth <= 0 ? 0 : random() % 4;
    if (kind == 0 || kind == 1) {
        out += scalars[random() % scalars.size()];
        return;
    }
    auto const count = random() % 4;
    out += kind == 2 ? '[' : '{';
    for (unsigned i = 0; i < count; ++i) {
        if (i) out += ',';
        if (random() % 4 == 0) out += " \n";
        if (kind == 3) out += "\"k" + std::to_string(random() % 100) + "\":";
        random_value(random, depth - 1, out);
    }
    out += kind == 2 ? ']' : '}';
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_text)

BOOST_AUTO_TEST_CASE(edges_agree_with_boost_json)
{
    auto nested = [](int depth, char open, char close) { return std::string(depth, open) + std::string(depth, close); };
    std::string objects32, objects33;
    for (int i = 0; i < 32; ++i) objects32 += R"({"a":)";
    objects32 += "1" + std::string(32, '}');
    for (int i = 0; i < 33; ++i) objects33 += R"({"a":)";
    objects33 += "1" + std::string(33, '}');
    std::vector<std::string> const cases = {
        "", " ", "{}", "[]", " \t\r\n{} \n", "{} {}", "1 2", "{\"a\":1}x", "[1,]", "{\"a\":1,}", "{,}", "[,1]",
        "{\"a\"}", "{\"a\":}", "{\"a\" : 1 , \"b\" : [ ] }", "{1:2}", "[1 2]", "[\"a\":1]",
        "-", "-0", "01", "1.", ".5", "1e", "1e+", "1E-2", "0.0e0", "-01", "2.", "+1",
        "1e400", "1e999999999", "1e2147483647", "1e2147483648", "1e-2147483648", "1e99999999999",
        "0.000000000000000000000000000000000000001e-2147483647", "123456789012345678901234567890",
        "tru", "true", "truex", "nul", "null", "nulll", "f", "false", "fals",
        R"("\uD800")", R"("\uDC00")", R"("\uD800\u0041")", R"("\uD83D\uDE00")", R"("\uD83D\\uDE00")",
        R"("\u00zz")", R"("\u00E9")", R"("\u12")", R"("\x")", R"("\/")", R"("\)", "\"\\", "\"",
        "\"a\x01b\"", "\"\x7f\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "\"\xf4\x90\x80\x80\"", "\"\xc3\"", "\"\xc3\xa9\"",
        "\xef\xbb\xbf{}", R"({"\u0000":1})", "{\"a\":1} // note", "/* c */ {}", "[1]\x00",
        "\"" + std::string(40, 'x') + "\x01\"", "\"" + std::string(40, 'x') + "\xff\"",
        "\"" + std::string(31, 'x') + "\\\"" + std::string(31, 'y') + "\"",
        nested(32, '[', ']'), nested(33, '[', ']'), objects32, objects33,
        "{\"a\":" + nested(31, '[', ']') + "}", "{\"a\":" + nested(32, '[', ']') + "}",
        "<html><body>Gateway</body></html>"};
    for (auto const& text : cases) agree(text);
}

BOOST_AUTO_TEST_CASE(random_documents_whole_cut_and_damaged_agree_with_boost_json)
{
    std::mt19937 random(4242);
    std::string const damage = "{}[],:\"\\ \x01\x80\xc3-.e0";
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        random_value(random, 1 + static_cast<int>(random() % 5), text);
        agree(text);
        agree(text.substr(0, random() % (text.size() + 1)));  // cut short anywhere
        auto broken = text;
        auto const at = random() % broken.size();
        switch (random() % 3) {
        case 0: broken[at] = damage[random() % damage.size()]; break;
        case 1: broken.insert(at, 1, damage[random() % damage.size()]); break;
        default: broken.erase(at, 1);
        }
        agree(broken);
    }
}

BOOST_AUTO_TEST_CASE(a_justifi_answer_of_forty_kilobytes_is_an_object)
{
    std::string answer = R"({"id":1,"type":"array","data":[)";
    while (answer.size() < 40000)
        answer += R"({"id":"py_ytsL6AwCZEHw3qFyl3Swpr","amount":69100,"description":"Pony rental (day) - Order #01563",)"
                  R"("captured":true,"error_code":null,"metadata":{"order_id":"ord_049192"}},)";
    answer.back() = ']';
    answer += R"(,"page_info":{"has_previous":false,"has_next":true}})";
    BOOST_TEST((check(answer) == shape::object));
    answer[answer.size() / 2] = '\x01';  // a control character inside a string
    BOOST_TEST((check(answer) == shape::invalid));
}

BOOST_AUTO_TEST_SUITE_END()
