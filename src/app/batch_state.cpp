// Batch output folder: finished-item markers, cleanup of interrupted attempts, atomic commit, status log.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "dfd/batch.h"
#include "dfd/error.h"
#include "util/atomic_file.h"
#include "util/clock.h"
#include "util/staged_folder.h"

namespace dfd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string shard_name(const Shard& s) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "shard-%04d-of-%04d", s.index, s.count);
  return buf;
}

void remove_tree(const std::string& path, std::vector<std::string>& removed) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) throw_runtime(path + ": cannot remove what an interrupted run left: " + ec.message());
  removed.push_back(path);
}

}  // namespace

// ---- Layout ---------------------------------------------------------------------------------------

BatchLayout::BatchLayout(std::string out) : out_(std::move(out)) {}
std::string BatchLayout::items_dir() const { return (fs::path(out_) / "items").string(); }
std::string BatchLayout::locks_dir() const { return (fs::path(out_) / "locks").string(); }
std::string BatchLayout::staging_root() const { return (fs::path(out_) / "staging").string(); }
std::string BatchLayout::logs_dir() const { return (fs::path(out_) / "logs").string(); }
std::string BatchLayout::item_dir(const std::string& id) const { return (fs::path(items_dir()) / id).string(); }
std::string BatchLayout::marker(const std::string& id) const { return (fs::path(item_dir(id)) / kMarker).string(); }
std::string BatchLayout::staging_dir(const std::string& id, int worker) const {
  const std::string attempt = file_safe_host_name() + "." + std::to_string(::getpid()) + ".w" + std::to_string(worker);
  return (fs::path(staging_root()) / (id + "@" + attempt)).string();
}
std::string BatchLayout::status_log(const Shard& s) const {
  return (fs::path(logs_dir()) / (shard_name(s) + ".jsonl")).string();
}
std::string BatchLayout::summary(const Shard& s) const {
  return (fs::path(logs_dir()) / (shard_name(s) + ".summary.json")).string();
}

// ---- Finished items and cleanup ---------------------------------------------------------------------

bool item_finished(const BatchLayout& layout, const std::string& id, std::string* why) {
  const auto no = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  std::error_code ec;
  const std::string marker = layout.marker(id);
  if (!fs::is_regular_file(marker, ec)) return no("no " + marker);
  std::ifstream in(marker);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception&) {
    return no(marker + " is not valid JSON");
  }
  if (!j.is_object() || j.value("id", std::string()) != id) return no(marker + " does not name the item " + id);
  if (!j.contains("files") || !j["files"].is_array()) return no(marker + " lists no files");
  for (const auto& f : j["files"]) {
    if (!f.is_string()) return no(marker + " lists a file that is not a name");
    const fs::path p = fs::path(layout.item_dir(id)) / f.get<std::string>();
    if (!fs::is_regular_file(p, ec)) return no(p.string() + " is missing");
  }
  return true;
}

std::vector<std::string> clean_partial(const BatchLayout& layout, const std::vector<std::string>& ids) {
  std::vector<std::string> removed;
  const std::set<std::string> mine(ids.begin(), ids.end());
  std::error_code ec;
  // Staging folders of these ids, from any earlier attempt (this shard's items are only ever
  // written by this shard's process, so none of them can be live).
  if (fs::is_directory(layout.staging_root(), ec)) {
    std::vector<std::string> stale;
    for (const auto& e : fs::directory_iterator(layout.staging_root(), ec)) {
      const std::string name = e.path().filename().string();
      const size_t at = name.find('@');
      if (at != std::string::npos && mine.count(name.substr(0, at))) stale.push_back(e.path().string());
    }
    if (ec) throw_runtime(layout.staging_root() + ": cannot list: " + ec.message());
    for (const auto& p : stale) remove_tree(p, removed);
  }
  // Item folders without a valid marker (e.g. a finished file deleted since).
  for (const auto& id : ids) {
    const std::string dir = layout.item_dir(id);
    if (fs::exists(fs::symlink_status(dir, ec)) && !item_finished(layout, id)) remove_tree(dir, removed);
  }
  return removed;
}

bool commit_item(const BatchLayout& layout, const std::string& id, const std::string& staging,
                 const std::vector<std::string>& files, const std::string& marker_fields) {
  json marker = marker_fields.empty() ? json::object() : json::parse(marker_fields);
  marker["id"] = id;
  marker["files"] = files;
  const std::string text = marker.dump(2) + "\n";
  // Every output is complete on disk before the marker; the marker before the rename.
  write_file_atomic((fs::path(staging) / BatchLayout::kMarker).string(), text.data(), text.size());
  sync_dir(staging);

  const std::string target = layout.item_dir(id);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec))) {
    if (item_finished(layout, id)) {  // another attempt finished first: keep its result
      fs::remove_all(staging, ec);
      return false;
    }
    fs::remove_all(target, ec);
    if (ec) throw_runtime(target + ": cannot replace an unfinished item folder: " + ec.message());
  }
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    const int err = errno;
    if ((err == ENOTEMPTY || err == EEXIST) && item_finished(layout, id)) {
      fs::remove_all(staging, ec);
      return false;
    }
    throw_runtime(target + ": cannot move the finished item into place from " + staging + ": " + std::strerror(err));
  }
  sync_dir(layout.items_dir());
  return true;
}

// ---- Item claims ------------------------------------------------------------------------------------

ItemClaim::~ItemClaim() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

std::unique_ptr<ItemClaim> try_claim_item(const BatchLayout& layout, const std::string& id) {
  const std::string path = (fs::path(layout.locks_dir()) / (id + ".lock")).string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw_runtime(path + ": cannot open the item's lock file: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK || err == EINTR) return nullptr;
    throw_runtime(path + ": cannot lock the item: " + std::strerror(err));
  }
  return std::unique_ptr<ItemClaim>(new ItemClaim(fd));
}

// ---- Status log ---------------------------------------------------------------------------------------

struct StatusLog::Lock {
  std::mutex m;
};

StatusLog::StatusLog(const std::string& path) : path_(path), lock_(std::make_unique<Lock>()) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_runtime(path + ": cannot open the status log: " + std::strerror(errno));
}

StatusLog::~StatusLog() {
  if (fd_ >= 0) ::close(fd_);
}

void StatusLog::append(const std::string& json_line) {
  const std::string line = json_line + "\n";
  std::lock_guard<std::mutex> g(lock_->m);
  // One write for the whole line: O_APPEND places it atomically at the end.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t w = ::write(fd_, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw_runtime(path_ + ": cannot append to the status log: " + std::strerror(errno));
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  ::fdatasync(fd_);
}

}  // namespace dfd
