// A JSON parser callback that refuses, while parsing, a top-level array (under one of the
// object's keys) longer than a limit: the count is checked before the array's elements exist.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>

namespace dfd {

// For nlohmann::json::parse(input, callback): counts the elements of each array that is the value
// of a key in `keys` of the top-level object and calls `over(key)` (which must throw) at element
// limit + 1. Everything else is kept as parsed.
inline nlohmann::json::parser_callback_t json_array_limit(std::set<std::string> keys, size_t limit,
                                                          std::function<void(const std::string& key)> over) {
  using nlohmann::json;
  struct State {
    std::set<std::string> keys;
    size_t limit;
    std::function<void(const std::string&)> over;
    std::string key;      // the current key of the top-level object
    size_t elements = 0;  // of the array under it, so far
  };
  auto st = std::make_shared<State>(State{std::move(keys), limit, std::move(over), {}, 0});
  // Depths as nlohmann reports them: a top-level key and its array's start and end are at 1, the
  // array's elements at 2 (a value, or the end of an element that is an object or array).
  return [st](int depth, json::parse_event_t event, json& parsed) {
    if (depth == 1 && event == json::parse_event_t::key) {
      st->key = parsed.is_string() ? parsed.get<std::string>() : std::string();
      st->elements = 0;
    } else if (depth == 2 && (event == json::parse_event_t::value || event == json::parse_event_t::object_end ||
                              event == json::parse_event_t::array_end)) {
      if (++st->elements > st->limit && st->keys.count(st->key)) st->over(st->key);
    }
    return true;
  };
}

}  // namespace dfd
