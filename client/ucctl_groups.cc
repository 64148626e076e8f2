// ucctl groups (GroupService) and ucctl project (ProjectService).
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "client/ucctl_command.h"
#include "client/ucctl_output.h"
#include "client/ucgate_client.h"
#include "service/common/command_line.h"

namespace ucgate::client {
namespace {

namespace v1 = ::uploadcare::gateway::v1;

int GroupsList(Command& command, const std::vector<std::string>& args) {
  PageOptions pages;
  std::string ordering_text, from;
  CommandLine& flags = command.command_line();
  pages.AddTo(flags, "groups", 1000);
  flags.AddString("ordering", "ORDER",
                  "datetime_created (default) or -datetime_created.",
                  &ordering_text);
  flags.AddString("from", "X",
                  "Start the listing at this ISO-8601 creation date-time "
                  "(2015-09-10T10:00:00Z).",
                  &from);
  flags.AddEpilog(
      "Without --all the answer is one page: JSON prints the whole "
      "ListGroupsResponse (groups, next_page_token, total_size); text prints "
      "a table and the --page-token of the next page. --all streams the "
      "whole listing in one StreamGroups call (resumed if the connection "
      "breaks), or pages with ListGroups from a --page-token.");
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  v1::ListGroupsRequest request;
  if (absl::Status s = pages.Apply(request); !s.ok()) {
    return command.UsageError(s);
  }
  if (!ordering_text.empty()) {
    absl::StatusOr<v1::GroupOrdering> ordering = ParseEnum<v1::GroupOrdering>(
        "GROUP_ORDERING_", "--ordering", ordering_text);
    if (!ordering.ok()) return command.UsageError(ordering.status());
    request.set_ordering(*ordering);
  }
  request.set_from(from);
  return RunPagedList(
      command, pages, request, &GroupClient::ListGroups,
      &GroupClient::ForEachStreamedGroup,
      ListText<v1::ListGroupsResponse, v1::Group>{
          PrintGroupTableHeader, PrintGroupRow, PrintGroupPage, "groups"});
}

// get, delete and store: one group ID in.
template <typename Request, typename Response>
int RunSingleGroupCommand(
    Command& command, const std::vector<std::string>& args,
    absl::StatusOr<Response> (GroupClient::*rpc)(const Request&)) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(1, 1, "ID (UUID~N)")) return *done;
  Request request;
  request.set_id(command.positional()[0]);
  return command.Run<GroupClient>(
      [&](GroupClient& client) { return (client.*rpc)(request); });
}

int GroupsGet(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "Removed files of the group show as entries with removed: true.");
  return RunSingleGroupCommand(command, args, &GroupClient::GetGroup);
}

int GroupsDelete(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "Deletes the group, not its files. Answers {}.");
  return RunSingleGroupCommand(command, args, &GroupClient::DeleteGroup);
}

int GroupsStore(Command& command, const std::vector<std::string>& args) {
  command.command_line().AddEpilog(
      "Stores every file of the group; the answer is the group and the "
      "per-file problems.");
  return RunSingleGroupCommand(command, args, &GroupClient::StoreGroup);
}

constexpr Verb kGroupsVerbs[] = {
    {"list", "", "Lists groups one page at a time, or every page with --all.",
     GroupsList},
    {"get", "ID", "Gets one group (ID: UUID~N) and its files.", GroupsGet},
    {"delete", "ID", "Deletes one group.", GroupsDelete},
    {"store", "ID", "Stores every file of a group.", GroupsStore},
};

int ProjectGet(Command& command, const std::vector<std::string>& args) {
  if (auto done = command.Parse(args)) return *done;
  if (auto done = command.ExpectPositional(0, 0, "")) return *done;
  return command.Run<ProjectClient>([](ProjectClient& client) {
    return client.GetProject(v1::GetProjectRequest());
  });
}

constexpr Verb kProjectVerbs[] = {
    {"get", "",
     "Gets the project (name, public key, autostore, collaborators) chosen "
     "by --project.",
     ProjectGet},
};

}  // namespace

const VerbGroup kGroupsGroup = {
    "groups", "Lists, reads, deletes and stores file groups (GroupService).",
    kGroupsVerbs};

const VerbGroup kProjectGroup = {
    "project", "The Uploadcare project itself (ProjectService).",
    kProjectVerbs};

}  // namespace ucgate::client
