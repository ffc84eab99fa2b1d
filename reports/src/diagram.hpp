// The architecture diagram: components and flows from the review's "architecture" member, laid
// out by Graphviz (dot) in-process and rendered to SVG in memory, ready to inline in the page.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace mlarch::reports {

struct Diagram {
  std::string svg;                // empty when Graphviz failed (`error` says why)
  std::string error;
  std::string graphviz_version;
};

// Each component links to "#el-c<index>" and each flow to "#el-f<index>" (indices into the
// architecture's lists); the findings table gives those anchors.
Diagram architecture_diagram(const nlohmann::json& architecture);

}  // namespace mlarch::reports
