// Batch manifests: JSON Lines of focal stacks, parsed and checked (ids unique) before any work.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "dfd/batch.h"
#include "dfd/error.h"
#include "dfd/input_limits.h"
#include "io/json_array_limit.h"

namespace dfd {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string resolve(const std::string& p, const std::string& base_dir) {
  const fs::path path(p);
  if (path.is_absolute() || base_dir.empty()) return path.lexically_normal().string();
  return (fs::path(base_dir) / path).lexically_normal().string();
}

std::string as_path(const json& v, const std::string& where, const char* key) {
  if (!v.is_string() || v.get<std::string>().empty())
    throw_input(where + ": \"" + key + "\" must be a non-empty string (a path), got " + v.dump());
  return v.get<std::string>();
}

// A flag value as `dfd solve` would get it on the command line.
std::string flag_value(const json& v, const std::string& where, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  throw_input(where + ": override \"" + key + "\" must be a number, string, boolean or a list of them, got " +
              v.dump());
}

BatchItem parse_line(const std::string& text, int line, const std::string& name, const std::string& base_dir) {
  const std::string where = name + ":" + std::to_string(line);
  json j;
  // An item's frame lists are checked while parsing, before a long one is held in memory.
  const auto limit = json_array_limit({"frames", "focus_distances"}, kMaxStackFrames, [&](const std::string& key) {
    throw_input_too_large(
        over_limit_message(where, "\"" + key + "\" lists more than " + std::to_string(kMaxStackFrames) + " entries",
                           std::to_string(kMaxStackFrames) + " frames an item"));
  });
  try {
    j = json::parse(text, limit);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number beyond double's range (1e400).
    throw_input(where + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw_input(where + ": each line must be a JSON object, got " + j.dump());
  static const std::set<std::string> known = {"id",     "stack",    "frames", "folder", "focus_distances",
                                              "preset", "overrides"};
  for (const auto& kv : j.items())
    if (!known.count(kv.key()))
      throw_input(where + ": unknown key \"" + kv.key() +
                  "\" (expected id, stack | frames | folder, focus_distances, preset, overrides)");

  BatchItem item;
  item.line = line;
  item.json = j.dump();
  if (!j.contains("id")) throw_input(where + ": missing \"id\" (a unique name for the item's output folder)");
  if (!j["id"].is_string()) throw_input(where + ": \"id\" must be a string, got " + j["id"].dump());
  item.id = j["id"].get<std::string>();
  check_item_id(item.id, where);

  const int sources = int(j.contains("stack")) + int(j.contains("frames")) + int(j.contains("folder"));
  if (sources != 1)
    throw_input(where + " (" + item.id +
                "): give exactly one of \"stack\" (a STACK.json), \"frames\" (a list of "
                "images) or \"folder\"");
  if (j.contains("stack")) item.stack = resolve(as_path(j["stack"], where, "stack"), base_dir);
  if (j.contains("folder")) item.folder = resolve(as_path(j["folder"], where, "folder"), base_dir);
  if (j.contains("frames")) {
    const json& f = j["frames"];
    if (!f.is_array() || f.size() < 2)
      throw_input(where + " (" + item.id + "): \"frames\" must be a list of at least 2 image paths");
    for (const auto& v : f) item.frames.push_back(resolve(as_path(v, where, "frames"), base_dir));
  }
  if (j.contains("focus_distances")) {
    const json& f = j["focus_distances"];
    if (!f.is_array()) throw_input(where + " (" + item.id + "): \"focus_distances\" must be a list of numbers");
    std::vector<double> d;
    for (const auto& v : f) {
      if (!v.is_number())
        throw_input(where + " (" + item.id + "): \"focus_distances\" must hold numbers, got " + v.dump());
      d.push_back(v.get<double>());
    }
    if (!item.frames.empty() && d.size() != item.frames.size())
      throw_input(where + " (" + item.id + "): " + std::to_string(d.size()) + " focus distances for " +
                  std::to_string(item.frames.size()) + " frames (need one per frame)");
    item.focus_distances = std::move(d);
  }
  if (j.contains("preset")) {
    if (!j["preset"].is_string()) throw_input(where + " (" + item.id + "): \"preset\" must be a string");
    item.preset = j["preset"].get<std::string>();
  }
  if (j.contains("overrides")) {
    const json& o = j["overrides"];
    if (!o.is_object())
      throw_input(where + " (" + item.id +
                  "): \"overrides\" must be an object of dfd solve flags, e.g. "
                  "{\"epochs\": 10}");
    for (const auto& kv : o.items()) {
      std::string key = kv.key();
      while (!key.empty() && key[0] == '-') key.erase(0, 1);
      if (key.empty()) throw_input(where + " (" + item.id + "): an override has an empty name");
      std::vector<std::string> values;
      if (kv.value().is_array()) {
        for (const auto& v : kv.value()) values.push_back(flag_value(v, where, key));
      } else {
        values.push_back(flag_value(kv.value(), where, key));
      }
      // The one override that names a file: relative to the manifest's folder, like "stack".
      if (key == "focus-csv" && values.size() == 1 && kv.value().is_string()) values[0] = resolve(values[0], base_dir);
      item.overrides.emplace_back(key, std::move(values));
    }
  }
  return item;
}

}  // namespace

std::string BatchItem::describe_inputs() const {
  if (!stack.empty()) return "stack " + stack;
  if (!folder.empty()) return "folder " + folder;
  std::string s = "frames";
  for (const auto& f : frames) s += " " + f;
  return s;
}

void check_item_id(const std::string& id, const std::string& where) {
  const auto bad = [&](const std::string& why) {
    throw_input(where + ": id \"" + id + "\" " + why +
                " (ids name output folders: 1 to 128 of A-Z a-z 0-9 . _ -, "
                "not starting with '.')");
  };
  if (id.empty()) bad("is empty");
  if (id.size() > 128) bad("is longer than 128 characters");
  if (id[0] == '.') bad("starts with '.'");
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) bad("has the character '" + std::string(1, c) + "'");
  }
}

std::vector<BatchItem> parse_batch_manifest(const std::string& text, const std::string& name,
                                            const std::string& base_dir) {
  std::vector<BatchItem> items;
  std::map<std::string, int> first_line;  // id -> line
  // Line by line over the text itself (no stream copy of it: a manifest of one huge line, such
  // as an item of 10^6 frames, is held once plus that line until its cap refuses it).
  int number = 0;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find('\n', pos), text.size());
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF files
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    BatchItem item = parse_line(line, number, name, base_dir);
    const auto [it, fresh] = first_line.emplace(item.id, number);
    if (!fresh)
      throw_input(name + ":" + std::to_string(number) + ": id \"" + item.id + "\" is already used on line " +
                  std::to_string(it->second) + " (ids must be unique: they name the output folders)");
    items.push_back(std::move(item));
  }
  if (items.empty()) throw_input(name + ": the manifest has no items (one JSON object per line)");
  return items;
}

std::vector<BatchItem> read_batch_manifest(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw_input(path + ": no such manifest file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input(path + ": cannot open the manifest");
  std::string text(static_cast<size_t>(fs::file_size(path, ec)), '\0');
  if (ec || !in.read(text.data(), static_cast<std::streamsize>(text.size())))
    throw_input(path + ": cannot read the manifest");
  return parse_batch_manifest(text, path, fs::path(path).parent_path().string());
}

}  // namespace dfd
