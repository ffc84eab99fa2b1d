// Graphviz through libgvc: a dot layout of the components and flows, rendered to SVG in memory.
#include "diagram.hpp"

#include <graphviz/gvc.h>
#include <graphviz/gvplugin.h>

#include <memory>
#include <regex>

#include <fmt/format.h>

#include "format.hpp"

// The two plugins the diagram needs, linked in rather than loaded from Graphviz's configuration:
// dot's layout and the SVG renderer. Without a text-layout plugin (pango, fontconfig) Graphviz
// sizes labels from its built-in font metrics, so the layout does not depend on the host's fonts
// (and nothing of those libraries is left allocated at exit).
extern "C" {
extern gvplugin_library_t gvplugin_core_LTX_library;
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
}

namespace mlarch::reports {

using Json = nlohmann::json;

namespace {

const lt_symlist_t kPlugins[] = {{"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
                                 {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
                                 {nullptr, nullptr}};

// Graphviz reads backslash escapes (\N, \n, \l) in labels: a spec's own backslashes are doubled.
std::string gv_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void set(void* obj, const char* name, const std::string& value) {
  agsafeset(obj, const_cast<char*>(name), const_cast<char*>(value.c_str()), const_cast<char*>(""));
}

// Fill and border by the worst finding; the label's icon and the border width say it too.
struct Look {
  const char* fill;
  const char* border;
  const char* width;
};
Look look(const Json& severity) {
  if (severity == "error") return {"#fde4e4", "#b00020", "3"};
  if (severity == "warning") return {"#fff1cc", "#7a4f00", "2"};
  if (severity == "info") return {"#e6effc", "#1a4f8f", "1.5"};
  return {"#ffffff", "#444444", "1"};
}

const char* shape(const std::string& kind) {
  if (kind == "database" || kind == "feature_store" || kind == "object_store" || kind == "vector_store" ||
      kind == "model_registry")
    return "cylinder";
  if (kind == "queue" || kind == "stream") return "cds";
  if (kind == "gateway" || kind == "load_balancer") return "hexagon";
  if (kind == "external") return "note";
  if (kind == "model_server") return "box3d";
  return "box";
}

std::string node_label(const Json& c) {
  std::string first = c["id"];
  if (!c["worst_severity"].is_null()) first = severity_icon(c["worst_severity"]) + " " + first;
  std::string second = c["kind"].get<std::string>();
  if (c["utilization"].is_number()) second += fmt::format(" · util {:.0f}%", 100 * c["utilization"].get<double>());
  return gv_text(first) + "\\n" + gv_text(second);
}

std::string tooltip(const Json& element, const std::string& what) {
  int n = element["findings"];
  return what + (n == 0 ? ": no findings" : fmt::format(": {} finding{}, worst {}", n, n == 1 ? "" : "s",
                                                        element["worst_severity"].get<std::string>()));
}

// Graphviz's SVG document made fit to inline: no XML prologue, doctype or comments, no namespace
// declarations (HTML supplies them). Its natural size stays, as the most CSS lets it grow to.
std::string inline_svg(std::string svg) {
  auto start = svg.find("<svg");
  if (start == std::string::npos) return {};
  svg.erase(0, start);
  svg = std::regex_replace(svg, std::regex("<!--[^]*?-->\\n?"), "");
  svg = std::regex_replace(svg, std::regex(" xmlns(:xlink)?=\"[^\"]*\""), "");
  svg = std::regex_replace(svg, std::regex("^<svg "), "<svg class=\"diagram\" role=\"img\" aria-labelledby=\"diagram-title\" ");
  return svg;
}

}  // namespace

Diagram architecture_diagram(const Json& architecture) {
  Diagram d;
  std::unique_ptr<GVC_t, int (*)(GVC_t*)> gvc(gvContextPlugins(kPlugins, 0), gvFreeContext);
  if (!gvc) {
    d.error = "Graphviz could not start";
    return d;
  }
  d.graphviz_version = gvcVersion(gvc.get());
  std::unique_ptr<Agraph_t, int (*)(Agraph_t*)> graph(agopen(const_cast<char*>("architecture"), Agdirected, nullptr), agclose);
  Agraph_t* g = graph.get();
  set(g, "rankdir", "LR");
  set(g, "nodesep", "0.3");
  set(g, "ranksep", "0.5");
  set(g, "fontname", "Helvetica");
  std::vector<Agnode_t*> nodes;
  const Json& components = architecture["components"];
  for (std::size_t i = 0; i < components.size(); ++i) {
    const Json& c = components[i];
    std::string name = fmt::format("c{}", i);
    Agnode_t* n = agnode(g, name.data(), 1);
    Look l = look(c["worst_severity"]);
    set(n, "label", node_label(c));
    set(n, "shape", shape(c["kind"]));
    set(n, "style", "filled");
    set(n, "fillcolor", l.fill);
    set(n, "color", l.border);
    set(n, "penwidth", l.width);
    set(n, "fontname", "Helvetica");
    set(n, "fontsize", "11");
    set(n, "fontcolor", "#1a1a1a");
    set(n, "URL", "#el-" + name);
    set(n, "tooltip", gv_text(tooltip(c, "component " + c["id"].get<std::string>())));
    set(n, "id", "node-" + name);
    nodes.push_back(n);
  }
  const Json& flows = architecture["flows"];
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Json& f = flows[i];
    std::size_t from = 0, to = 0;
    for (std::size_t k = 0; k < components.size(); ++k) {
      if (components[k]["id"] == f["from"]) from = k;
      if (components[k]["id"] == f["to"]) to = k;
    }
    std::string name = fmt::format("f{}", i);
    Agedge_t* e = agedge(g, nodes[from], nodes[to], name.data(), 1);
    std::vector<std::string> marks;
    if (f["personal_data"].get<bool>()) marks.push_back("PII");
    if (!f["encrypted"].get<bool>()) marks.push_back("unencrypted");
    std::string label;
    for (const auto& m : marks) label += (label.empty() ? "" : ", ") + m;
    if (!f["worst_severity"].is_null()) label = severity_icon(f["worst_severity"]) + (label.empty() ? "" : " " + label);
    set(e, "label", label);
    set(e, "fontname", "Helvetica");
    set(e, "fontsize", "9");
    set(e, "fontcolor", "#1a1a1a");
    set(e, "style", f["encrypted"].get<bool>() ? "solid" : "dashed");
    set(e, "penwidth", f["personal_data"].get<bool>() ? "2" : "1");
    set(e, "color", f["worst_severity"].is_null() ? "#555555" : look(f["worst_severity"]).border);
    set(e, "URL", "#el-" + name);
    set(e, "tooltip", gv_text(tooltip(f, "flow " + f["from"].get<std::string>() + " → " + f["to"].get<std::string>())));
    set(e, "id", "edge-" + name);
  }
  if (gvLayout(gvc.get(), g, "dot") != 0) {
    d.error = "Graphviz could not lay out the diagram";
    return d;
  }
  char* data = nullptr;
  unsigned int length = 0;
  int rc = gvRenderData(gvc.get(), g, "svg", &data, &length);
  if (rc == 0 && data) d.svg = inline_svg(std::string(data, length));
  if (data) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), g);
  if (d.svg.empty()) d.error = "Graphviz could not render the diagram";
  return d;
}

}  // namespace mlarch::reports
