#include "tests/support/child_process.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace justifi::test {
namespace {

void check(int rc, char const* what)
{
    if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(rc == -1 ? errno : rc));
}

}  // namespace

std::string make_temp_dir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "justifi-mcp-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    return pattern;
}

void remove_tree(std::string const& path)
{
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

child_process::child_process(std::string const& binary, child_options options)
{
    if (options.cwd.empty()) {
        cwd_ = make_temp_dir();
        owns_cwd_ = true;
    } else {
        cwd_ = options.cwd;
    }

    int in[2], out[2], err[2];
    check(::pipe2(in, O_CLOEXEC), "pipe");
    check(::pipe2(out, O_CLOEXEC), "pipe");
    check(::pipe2(err, O_CLOEXEC), "pipe");

    std::map<std::string, std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        auto const eq = entry.find('=');
        if (eq != std::string_view::npos) env[std::string(entry.substr(0, eq))] = std::string(entry.substr(eq + 1));
    }
    for (auto const& name : options.unset_env) env.erase(name);
    for (auto const& [k, v] : options.env) env[k] = v;
    std::vector<std::string> env_strings;
    for (auto const& [k, v] : env) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    std::vector<std::string> arg_strings{binary};
    arg_strings.insert(arg_strings.end(), options.args.begin(), options.args.end());
    std::vector<char*> argv;
    for (auto& s : arg_strings) argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, cwd_.c_str());
    int const rc = ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        throw std::runtime_error("posix_spawn " + binary + ": " + std::strerror(rc));
    }
    stdin_fd_ = in[1];
    out_thread_ = std::thread([fd = out[0], this] { pump(fd, *out_); });
    err_thread_ = std::thread([fd = err[0], this] { pump(fd, *err_); });
}

child_process::~child_process()
{
    close_stdin();
    if (!exit_status_ && !wait(std::chrono::milliseconds(0))) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    if (out_thread_.joinable()) out_thread_.join();
    if (err_thread_.joinable()) err_thread_.join();
    if (owns_cwd_) remove_tree(cwd_);
}

void child_process::pump(int fd, stream_buffer& buffer)
{
    char chunk[16384];
    for (;;) {
        auto const n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        std::lock_guard lock(buffer.mutex);
        if (n <= 0) {
            buffer.closed = true;
            buffer.changed.notify_all();
            break;
        }
        buffer.data.append(chunk, static_cast<std::size_t>(n));
        buffer.changed.notify_all();
    }
    ::close(fd);
}

void child_process::write_stdin(std::string_view data)
{
    while (!data.empty()) {
        auto const n = ::write(stdin_fd_, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::runtime_error(std::string("write to child stdin: ") + std::strerror(errno));
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

void child_process::close_stdin()
{
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

void child_process::send_signal(int signal) { ::kill(pid_, signal); }

std::optional<std::string> child_process::read_stdout_line(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(out_->mutex);
    std::size_t newline = std::string::npos;
    out_->changed.wait_for(lock, timeout, [&] {
        newline = out_->data.find('\n', out_->consumed);
        return newline != std::string::npos || out_->closed;
    });
    if (newline == std::string::npos) return std::nullopt;
    auto line = out_->data.substr(out_->consumed, newline - out_->consumed);
    out_->consumed = newline + 1;
    return line;
}

std::string child_process::stdout_text() const
{
    std::lock_guard lock(out_->mutex);
    return out_->data;
}

std::string child_process::stderr_text() const
{
    std::lock_guard lock(err_->mutex);
    return err_->data;
}

bool child_process::wait_for_stderr(std::string_view needle, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(err_->mutex);
    return err_->changed.wait_for(lock, timeout,
                                  [&] { return err_->data.find(needle) != std::string::npos || err_->closed; }) &&
           err_->data.find(needle) != std::string::npos;
}

namespace {

std::size_t occurrences(std::string const& text, std::string_view needle)
{
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
    return n;
}

}  // namespace

std::size_t child_process::count_in_stderr(std::string_view needle) const
{
    std::lock_guard lock(err_->mutex);
    return occurrences(err_->data, needle);
}

bool child_process::wait_for_stderr_count(std::string_view needle, std::size_t count,
                                          std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(err_->mutex);
    return err_->changed.wait_for(lock, timeout, [&] { return occurrences(err_->data, needle) >= count || err_->closed; }) &&
           occurrences(err_->data, needle) >= count;
}

bool child_process::wait_for_output_end(std::chrono::milliseconds timeout) const
{
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (auto* buffer : {out_.get(), err_.get()}) {
        std::unique_lock lock(buffer->mutex);
        if (!buffer->changed.wait_until(lock, deadline, [&] { return buffer->closed; })) return false;
    }
    return true;
}

std::uint16_t child_process::wait_for_port(std::chrono::milliseconds timeout) const
{
    if (!wait_for_stderr("\"message\":\"listening\"", timeout))
        throw std::runtime_error("server never reported listening; stderr:\n" + stderr_text());
    auto const text = stderr_text();
    auto const at = text.find("\"message\":\"listening\"");
    auto const begin = text.rfind('\n', at);
    auto const end = text.find('\n', at);
    auto const line = text.substr(begin == std::string::npos ? 0 : begin + 1, end - (begin == std::string::npos ? 0 : begin + 1));
    return static_cast<std::uint16_t>(boost::json::parse(line).at("port").as_int64());
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout)
{
    if (exit_status_) return exit_status_;
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        auto const r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return exit_status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling a child's exit, not waiting for readiness
    }
}

}  // namespace justifi::test
