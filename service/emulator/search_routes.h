// POST /files/search/ (v0.7), as the service answers it: the conditions of
// the JSON body combined with AND (query, phrase, exact incl. "metadata[KEY]",
// datetime_uploaded and size ranges, is_image, tags any/all/none), the
// modifiers fuzziness and sort, and limit (1..100, default 20), offset
// (offset + limit < 1000) and include=appdata in the query. Answers the
// paginated list shape {next, previous, total, per_page, results}, each result
// a file plus `highlight` (matches wrapped in <em>; {} when only filters
// matched). Removed files are not found.
//
// What the emulator cannot be: relevance (`score`) is the number of fields a
// full-text condition matched, ties newest first; `fuzziness` tolerates one
// substituted character per term; indexing is immediate.
#pragma once

#include "service/emulator/router.h"

namespace ucgate::emulator {

void RegisterSearchRoutes(Router& router);

}  // namespace ucgate::emulator
