#include "core/cpu_budget.hpp"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace justifi::core::cpu_budget {
namespace {

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::optional<long long> parse_integer(std::string_view s)
{
    s = trim(s);
    long long value = 0;
    auto const [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

std::vector<std::string_view> split(std::string_view s, char separator)
{
    std::vector<std::string_view> parts;
    while (true) {
        auto const at = s.find(separator);
        parts.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

std::vector<std::string_view> lines_of(std::string_view text)
{
    std::vector<std::string_view> lines;
    for (auto line : split(text, '\n'))
        if (!trim(line).empty()) lines.push_back(line);
    return lines;
}

bool lists(std::string_view comma_list, std::string_view item)
{
    auto const items = split(comma_list, ',');
    return std::find(items.begin(), items.end(), item) != items.end();
}

// `path` as seen below a mount whose root is `root`: a path outside the root (a cgroup
// namespace, or a bind mount of a subtree) is the mount's own directory.
std::string below(std::string_view mount_point, std::string_view root, std::string_view path)
{
    std::string_view relative;
    if (root == "/")
        relative = path;
    else if (path.substr(0, root.size()) == root && (path.size() == root.size() || path[root.size()] == '/'))
        relative = path.substr(root.size());
    std::string dir(mount_point);
    if (relative != "/") dir += relative;
    return dir;
}

std::optional<double> tighter(std::optional<double> a, std::optional<double> b)
{
    if (!a) return b;
    if (!b) return a;
    return std::min(*a, *b);
}

std::optional<std::string> read_file(std::string const& path)
{
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return std::move(text).str();
}

unsigned affinity_cpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) {
        int const n = CPU_COUNT(&set);
        if (n > 0) return static_cast<unsigned>(n);
    }
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

std::optional<double> parse_cpu_max(std::string_view text)
{
    auto const fields = split(trim(text), ' ');
    if (fields.size() != 2) return std::nullopt;
    auto const period = parse_integer(fields[1]);
    if (!period || *period <= 0) return std::nullopt;
    if (fields[0] == "max") return std::nullopt;
    auto const quota = parse_integer(fields[0]);
    if (!quota || *quota <= 0) return std::nullopt;
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::optional<double> parse_cfs_quota(std::string_view quota_text, std::string_view period_text)
{
    auto const quota = parse_integer(quota_text);
    auto const period = parse_integer(period_text);
    if (!quota || !period || *quota <= 0 || *period <= 0) return std::nullopt;
    return static_cast<double>(*quota) / static_cast<double>(*period);
}

std::vector<cgroup_mount> cpu_cgroup_mounts(std::string_view proc_self_cgroup, std::string_view proc_self_mountinfo)
{
    // hierarchy-id:controllers:path; the v2 hierarchy is 0 with no controllers.
    std::optional<std::string_view> v1_path, v2_path;
    for (auto line : lines_of(proc_self_cgroup)) {
        auto const first = line.find(':');
        auto const second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        auto const id = line.substr(0, first);
        auto const controllers = line.substr(first + 1, second - first - 1);
        auto const path = trim(line.substr(second + 1));
        if (id == "0" && controllers.empty())
            v2_path = path;
        else if (lists(controllers, "cpu"))
            v1_path = path;
    }
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    std::vector<cgroup_mount> mounts;
    for (auto line : lines_of(proc_self_mountinfo)) {
        auto const fields = split(trim(line), ' ');
        auto const dash = std::find(fields.begin(), fields.end(), "-");
        if (fields.size() < 5 || dash == fields.end() || std::distance(dash, fields.end()) < 4) continue;
        auto const root = fields[3];
        auto const mount_point = fields[4];
        auto const fstype = *(dash + 1);
        auto const super_options = *(dash + 3);
        if (fstype == "cgroup2" && v2_path)
            mounts.push_back({true, std::string(mount_point), below(mount_point, root, *v2_path)});
        else if (fstype == "cgroup" && v1_path && lists(super_options, "cpu"))
            mounts.push_back({false, std::string(mount_point), below(mount_point, root, *v1_path)});
    }
    return mounts;
}

std::optional<double> quota_of(cgroup_mount const& mount, file_reader const& read)
{
    std::optional<double> limit;
    std::string dir = mount.own_dir;
    // Bounded by the path's depth: each step removes one component.
    while (dir.size() >= mount.mount_point.size()) {
        if (mount.v2) {
            if (auto const text = read(dir + "/cpu.max")) limit = tighter(limit, parse_cpu_max(*text));
        } else {
            auto const quota = read(dir + "/cpu.cfs_quota_us");
            auto const period = read(dir + "/cpu.cfs_period_us");
            if (quota && period) limit = tighter(limit, parse_cfs_quota(*quota, *period));
        }
        if (dir.size() == mount.mount_point.size()) break;
        auto const slash = dir.rfind('/');
        if (slash == std::string::npos || slash < mount.mount_point.size()) break;
        dir.resize(std::max(slash, mount.mount_point.size()));
    }
    return limit;
}

unsigned threads_for(unsigned cpus, std::optional<double> quota)
{
    unsigned threads = std::max(1u, cpus);
    if (quota && *quota > 0) {
        double const whole = std::floor(*quota);
        double const wanted = *quota - whole <= whole * 0.01 ? whole : std::ceil(*quota);
        threads = std::min(threads, static_cast<unsigned>(std::max(1.0, wanted)));
    }
    return threads;
}

budget detect()
{
    budget b;
    b.cpus = affinity_cpus();
    auto const cgroup = read_file("/proc/self/cgroup");
    auto const mountinfo = read_file("/proc/self/mountinfo");
    if (cgroup && mountinfo)
        for (auto const& mount : cpu_cgroup_mounts(*cgroup, *mountinfo))
            b.quota = tighter(b.quota, quota_of(mount, read_file));
    b.threads = threads_for(b.cpus, b.quota);
    return b;
}

}  // namespace justifi::core::cpu_budget
