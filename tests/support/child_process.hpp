// Starts a real binary with pipes on stdin, stdout and stderr, for integration tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace justifi::test {

struct child_options {
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) the test's environment
    std::vector<std::string> unset_env;
    std::string cwd;  // empty: a fresh empty directory, so no stray .env is read
};

class child_process {
public:
    child_process(std::string const& binary, child_options options = {});
    ~child_process();
    child_process(child_process const&) = delete;
    child_process& operator=(child_process const&) = delete;

    pid_t pid() const { return pid_; }
    std::string const& cwd() const { return cwd_; }

    void write_stdin(std::string_view data);
    void close_stdin();
    void send_signal(int signal);

    // The next complete stdout line (without its newline), waiting up to `timeout`.
    std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);
    std::string stdout_text() const;
    std::string stderr_text() const;
    bool wait_for_stderr(std::string_view needle, std::chrono::milliseconds timeout) const;
    std::size_t count_in_stderr(std::string_view needle) const;
    // Waits until `needle` has appeared in stderr at least `count` times.
    bool wait_for_stderr_count(std::string_view needle, std::size_t count, std::chrono::milliseconds timeout) const;

    // The port from the server's "listening" log line.
    std::uint16_t wait_for_port(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

    // Waits until the child has closed stdout and stderr (it exited), so the text is complete.
    bool wait_for_output_end(std::chrono::milliseconds timeout) const;

    // Exit status (or 128+signal); nullopt when still running after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);

private:
    struct stream_buffer {
        mutable std::mutex mutex;
        mutable std::condition_variable changed;
        std::string data;
        std::size_t consumed = 0;
        bool closed = false;
    };
    static void pump(int fd, stream_buffer& buffer);

    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    std::optional<int> exit_status_;
    std::string cwd_;
    bool owns_cwd_ = false;
    std::unique_ptr<stream_buffer> out_ = std::make_unique<stream_buffer>();
    std::unique_ptr<stream_buffer> err_ = std::make_unique<stream_buffer>();
    std::thread out_thread_;
    std::thread err_thread_;
};

// A fresh directory under the system temp dir, removed by the caller.
std::string make_temp_dir();
void remove_tree(std::string const& path);

}  // namespace justifi::test
