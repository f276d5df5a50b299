// The default thread count: cgroup files and mount tables as Linux writes them, read without
// touching this machine's own.
#include "core/cpu_budget.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

namespace cpu = justifi::core::cpu_budget;

namespace {

// A directory tree of cgroup files, as text.
cpu::file_reader files(std::map<std::string, std::string> tree)
{
    return [tree = std::move(tree)](std::string const& path) -> std::optional<std::string> {
        auto const it = tree.find(path);
        if (it == tree.end()) return std::nullopt;
        return it->second;
    };
}

// Docker 24 on a cgroup v1 host, without a cgroup namespace: the container's cgroup is bind
// mounted as the hierarchy's root.
constexpr char const* docker_v1_cgroup = "12:pids:/docker/4f1c\n"
                                         "5:cpu,cpuacct:/docker/4f1c\n"
                                         "4:memory:/docker/4f1c\n"
                                         "1:name=systemd:/docker/4f1c\n"
                                         "0::/docker/4f1c\n";
constexpr char const* docker_v1_mountinfo =
    "720 719 0:65 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755\n"
    "726 720 0:33 /docker/4f1c /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:16 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "727 720 0:34 /docker/4f1c /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,memory\n"
    "733 720 0:30 /docker/4f1c /sys/fs/cgroup/systemd ro,nosuid,nodev,noexec,relatime master:11 - cgroup cgroup "
    "rw,xattr,name=systemd\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_budget)

BOOST_AUTO_TEST_CASE(cpu_max_reads_a_quota_over_its_period_and_max_as_no_limit)
{
    BOOST_TEST(*cpu::parse_cpu_max("150000 100000\n") == 1.5);
    BOOST_TEST(*cpu::parse_cpu_max("50000 100000") == 0.5);
    BOOST_TEST(!cpu::parse_cpu_max("max 100000\n"));
    BOOST_TEST(!cpu::parse_cpu_max(""));
    BOOST_TEST(!cpu::parse_cpu_max("150000"));
    BOOST_TEST(!cpu::parse_cpu_max("150000 0"));
    BOOST_TEST(!cpu::parse_cpu_max("-1 100000"));
    BOOST_TEST(!cpu::parse_cpu_max("1.5 100000"));
    BOOST_TEST(!cpu::parse_cpu_max("150000 100000 7"));
}

BOOST_AUTO_TEST_CASE(cfs_quota_of_minus_one_is_no_limit)
{
    BOOST_TEST(*cpu::parse_cfs_quota("200000\n", "100000\n") == 2.0);
    BOOST_TEST(*cpu::parse_cfs_quota("25000", "100000") == 0.25);
    BOOST_TEST(!cpu::parse_cfs_quota("-1\n", "100000\n"));
    BOOST_TEST(!cpu::parse_cfs_quota("50000", ""));
    BOOST_TEST(!cpu::parse_cfs_quota("lots", "100000"));
}

BOOST_AUTO_TEST_CASE(threads_are_the_usable_cpus_lowered_to_the_quota_rounded_up)
{
    BOOST_TEST(cpu::threads_for(8, std::nullopt) == 8u);
    BOOST_TEST(cpu::threads_for(2, 0.5) == 1u);   // a Fargate task of 512 CPU units on a 2-vCPU host
    BOOST_TEST(cpu::threads_for(2, 0.25) == 1u);
    BOOST_TEST(cpu::threads_for(8, 1.5) == 2u);
    BOOST_TEST(cpu::threads_for(8, 2.0) == 2u);
    BOOST_TEST(cpu::threads_for(8, 2.01) == 2u);  // accounting slack, not a third CPU
    BOOST_TEST(cpu::threads_for(8, 2.2) == 3u);
    BOOST_TEST(cpu::threads_for(4, 16.0) == 4u);  // a quota above the CPUs adds nothing
    BOOST_TEST(cpu::threads_for(0, std::nullopt) == 1u);
    BOOST_TEST(cpu::threads_for(4, 0.001) == 1u);
}

BOOST_AUTO_TEST_CASE(cgroup_v2_in_a_namespace_is_read_at_the_mount_point)
{
    auto const mounts = cpu::cpu_cgroup_mounts(
        "0::/\n", "1520 1519 0:29 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n");
    BOOST_TEST_REQUIRE(mounts.size() == 1u);
    BOOST_TEST(mounts[0].v2);
    BOOST_TEST(mounts[0].mount_point == "/sys/fs/cgroup");
    BOOST_TEST(mounts[0].own_dir == "/sys/fs/cgroup");
    auto const quota = cpu::quota_of(mounts[0], files({{"/sys/fs/cgroup/cpu.max", "200000 100000\n"}}));
    BOOST_TEST_REQUIRE(quota.has_value());
    BOOST_TEST(*quota == 2.0);
}

BOOST_AUTO_TEST_CASE(cgroup_v2_takes_the_tightest_limit_from_its_own_level_up_to_the_mount)
{
    // A host process under systemd: the slice caps at 1.5 CPUs, the service at 3.
    auto const mounts = cpu::cpu_cgroup_mounts(
        "0::/system.slice/justifi.service\n",
        "24 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw\n");
    BOOST_TEST_REQUIRE(mounts.size() == 1u);
    BOOST_TEST(mounts[0].own_dir == "/sys/fs/cgroup/system.slice/justifi.service");
    auto const quota = cpu::quota_of(mounts[0], files({{"/sys/fs/cgroup/system.slice/justifi.service/cpu.max", "300000 100000"},
                                                       {"/sys/fs/cgroup/system.slice/cpu.max", "150000 100000"},
                                                       {"/sys/fs/cgroup/cpu.max", "garbage"}}));
    BOOST_TEST_REQUIRE(quota.has_value());
    BOOST_TEST(*quota == 1.5);
    BOOST_TEST(cpu::threads_for(4, quota) == 2u);

    auto const unlimited = cpu::quota_of(mounts[0], files({{"/sys/fs/cgroup/system.slice/justifi.service/cpu.max", "max 100000"}}));
    BOOST_TEST(!unlimited.has_value());
}

BOOST_AUTO_TEST_CASE(cgroup_v1_finds_the_cpu_controller_under_its_bind_mounted_root)
{
    auto const mounts = cpu::cpu_cgroup_mounts(docker_v1_cgroup, docker_v1_mountinfo);
    BOOST_TEST_REQUIRE(mounts.size() == 1u);  // the v2 line has no cgroup2 mount here
    BOOST_TEST(!mounts[0].v2);
    BOOST_TEST(mounts[0].mount_point == "/sys/fs/cgroup/cpu,cpuacct");
    BOOST_TEST(mounts[0].own_dir == "/sys/fs/cgroup/cpu,cpuacct");
    auto const quota = cpu::quota_of(mounts[0], files({{"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "50000\n"},
                                                       {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n"}}));
    BOOST_TEST_REQUIRE(quota.has_value());
    BOOST_TEST(*quota == 0.5);
    BOOST_TEST(cpu::threads_for(2, quota) == 1u);
}

BOOST_AUTO_TEST_CASE(cgroup_v1_without_a_namespace_walks_up_from_the_task_to_the_root)
{
    // The ECS layout: the task's cgroup holds the limit, the container's own says -1.
    auto const mounts = cpu::cpu_cgroup_mounts(
        "3:cpu,cpuacct:/ecs/task1/c2\n0::/ecs/task1/c2\n",
        "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
    BOOST_TEST_REQUIRE(mounts.size() == 2u);
    auto const& v1 = mounts[0].v2 ? mounts[1] : mounts[0];
    auto const& v2 = mounts[0].v2 ? mounts[0] : mounts[1];
    BOOST_TEST(v1.own_dir == "/sys/fs/cgroup/cpu,cpuacct/ecs/task1/c2");
    BOOST_TEST(v2.own_dir == "/sys/fs/cgroup/unified/ecs/task1/c2");
    auto const quota = cpu::quota_of(v1, files({{"/sys/fs/cgroup/cpu,cpuacct/ecs/task1/c2/cpu.cfs_quota_us", "-1"},
                                                {"/sys/fs/cgroup/cpu,cpuacct/ecs/task1/c2/cpu.cfs_period_us", "100000"},
                                                {"/sys/fs/cgroup/cpu,cpuacct/ecs/task1/cpu.cfs_quota_us", "100000"},
                                                {"/sys/fs/cgroup/cpu,cpuacct/ecs/task1/cpu.cfs_period_us", "100000"},
                                                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1"},
                                                {"/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000"}}));
    BOOST_TEST_REQUIRE(quota.has_value());
    BOOST_TEST(*quota == 1.0);
    // A hybrid host's v2 hierarchy has no cpu controller: no cpu.max anywhere, no limit.
    BOOST_TEST(!cpu::quota_of(v2, files({})).has_value());
}

BOOST_AUTO_TEST_CASE(mounts_without_the_cpu_controller_or_malformed_lines_are_ignored)
{
    auto const mounts = cpu::cpu_cgroup_mounts(
        "4:memory:/x\nbroken line\n5:cpuacct:/x\n",
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "too short\n"
        "1 2 3 4 5 6 no dash here\n");
    BOOST_TEST(mounts.empty());
    BOOST_TEST(cpu::cpu_cgroup_mounts("", "").empty());
}

BOOST_AUTO_TEST_CASE(this_machine_gives_at_least_one_thread_and_never_more_than_its_cpus)
{
    auto const found = cpu::detect();
    BOOST_TEST(found.cpus >= 1u);
    BOOST_TEST(found.threads >= 1u);
    BOOST_TEST(found.threads <= found.cpus);
    BOOST_TEST(found.threads == cpu::threads_for(found.cpus, found.quota));
}

BOOST_AUTO_TEST_SUITE_END()
