// `aishell export last --format markdown|html|pdf|xlsx`: the last result as a document for people.
// The PDF (libharu) is a paged report: a title, the query, the table with wrapped columns and
// its header repeated on each page, the row count and page numbers.
#pragma once

#include <string>
#include <vector>

#include "common/query_types.h"
#include "common/vector.h"

namespace aishell {

struct ReportInfo {
  std::string title = "aishell report";
  std::string query;      // the statement that produced the result ("" if unknown)
  std::string generated;  // "2026-12-07 18:33 UTC"
};

std::string ResultToMarkdown(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                             const std::vector<Batch>& batches);
std::string ResultToHtml(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                         const std::vector<Batch>& batches);
// The PDF file's bytes. Throws Error(kIo) when libharu fails.
std::string ResultToPdf(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                        const std::vector<Batch>& batches);

// An .xlsx workbook's bytes (xlsx_export.cpp): the result on a "Result" sheet (typed number and
// boolean cells, a bold frozen header), the query and row count on a "Query" sheet. Throws
// Error(kIo) past Excel's sheet limits.
std::string ResultToXlsx(const ReportInfo& info, const std::vector<OutputColumn>& columns,
                         const std::vector<Batch>& batches);

// &, <, > and " as entities: text for HTML or XML.
std::string HtmlEscape(const std::string& s);

}  // namespace aishell
