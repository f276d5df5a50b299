// How many CPUs this process may really use, for the default number of I/O threads. A container
// usually sees every CPU of its host while a CPU quota (docker --cpus, a Kubernetes limit, a
// Fargate task's CPU units) lets it run on fewer: threads beyond the quota only take turns,
// and each turn costs a wake-up, a lock handed over and a cold cache. Go (GOMAXPROCS since
// 1.25), the JVM and .NET size their pools the same way: the CPUs the process may be scheduled
// on, lowered to the quota rounded up.
//
// The parsers are sans-io, over the texts of /proc/self/cgroup, /proc/self/mountinfo and the
// cgroup files; detect() reads them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace justifi::core::cpu_budget {

// cgroup v2 `cpu.max`: "max 100000" is no limit, "150000 100000" is 1.5 CPUs. Nothing for a
// text that is neither (the caller then ignores the file).
std::optional<double> parse_cpu_max(std::string_view text);

// cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`: a quota of -1 is no limit.
std::optional<double> parse_cfs_quota(std::string_view quota, std::string_view period);

// Where a process's cgroup is seen in this mount namespace.
struct cgroup_mount {
    bool v2 = false;
    std::string mount_point;  // e.g. /sys/fs/cgroup or /sys/fs/cgroup/cpu,cpuacct
    std::string own_dir;      // the process's cgroup below mount_point, e.g. /sys/fs/cgroup/ecs/task/container
};

// The mounts that hold the process's CPU limit: the cgroup v1 hierarchy with the `cpu`
// controller, and the cgroup v2 one. A cgroup path outside a mount's root (a cgroup namespace
// shows "/" for its own root) is read relative to that root.
std::vector<cgroup_mount> cpu_cgroup_mounts(std::string_view proc_self_cgroup, std::string_view proc_self_mountinfo);

// Reads a file's text; nothing when it cannot be read.
using file_reader = std::function<std::optional<std::string>(std::string const& path)>;

// The tightest quota from the process's own cgroup up to its mount point: a parent's limit
// bounds every child, and a container usually sees only its own and its task's levels.
std::optional<double> quota_of(cgroup_mount const& mount, file_reader const& read);

struct budget {
    unsigned cpus = 1;             // CPUs the process may be scheduled on (its affinity mask)
    std::optional<double> quota;   // the cgroup CPU quota, in CPUs, when one is set
    unsigned threads = 1;          // what the default thread count should be
};

// min(cpus, ceil(quota)), and at least 1. A quota within 1% above a whole number counts as
// that number, so that 1.005 CPUs of accounting noise does not add a thread.
unsigned threads_for(unsigned cpus, std::optional<double> quota);

// Reads the affinity mask and the cgroup files of this process. Anything unreadable is left
// out: no cgroup files means no quota, no affinity mask means every online CPU.
budget detect();

}  // namespace justifi::core::cpu_budget
