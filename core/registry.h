// A name → entry table with the errors a user needs: duplicate names are
// rejected, an unknown name is answered with the list of registered ones.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/suggest.h"

namespace odenet {

template <typename Entry>
class Registry {
 public:
  /// `kind` names what is registered ("scheme", "model preset") in error messages.
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  void add(const std::string& name, Entry entry) { insert(entries_, name, std::move(entry)); }

  /// An older spelling: found by get() and contains() but not listed by names() (so not
  /// offered in error messages or listings); aliases() lists them.
  void add_alias(const std::string& name, Entry entry) { insert(aliases_, name, std::move(entry)); }

  bool contains(const std::string& name) const { return entries_.count(name) > 0 || aliases_.count(name) > 0; }

  const Entry& get(const std::string& name) const {
    auto it = entries_.find(name);
    if (it != entries_.end()) return it->second;
    it = aliases_.find(name);
    if (it == aliases_.end()) throw ConfigError(unknown_name_message(name));
    return it->second;
  }

  std::vector<std::string> aliases() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : aliases_) out.push_back(name);
    return out;
  }

  /// Names in sorted order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : entries_) out.push_back(name);
    return out;
  }

  std::string joined_names() const {
    std::string out;
    for (const auto& [name, entry] : entries_) out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "(none)" : out;
  }

  const std::string& kind() const { return kind_; }

  /// "unknown <kind> 'x'; did you mean 'y'?" for a near name, else the list of registered ones.
  std::string unknown_name_message(const std::string& name) const {
    const std::string hint = did_you_mean(name, names());
    return "unknown " + kind_ + " '" + name + "'; " + (hint.empty() ? "registered: " + joined_names() : hint);
  }

 private:
  void insert(std::map<std::string, Entry>& into, const std::string& name, Entry entry) {
    if (name.empty()) throw Error("cannot register a " + kind_ + " with an empty name");
    if (contains(name)) throw Error(kind_ + " '" + name + "' is already registered");
    into.emplace(name, std::move(entry));
  }

  std::string kind_;
  std::map<std::string, Entry> entries_, aliases_;
};

}  // namespace odenet
