# odenet_add_scheme_plugin(NAME SOURCE...): a scheme plugin, the shared library NAME.so that
# `odenet --plugin NAME.so` loads. It compiles against odenet's public headers with LibTorch's
# flags; odenet's own symbols resolve from the odenet executable that loads it, and its sources
# must carry ODENET_PLUGIN_ABI_STAMP once (see core/version.h).
function(odenet_add_scheme_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "odenet_add_scheme_plugin(${name}): no source files")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE odenet::plugin_sdk)
  set_target_properties(${name} PROPERTIES PREFIX "" OUTPUT_NAME ${name})
endfunction()
