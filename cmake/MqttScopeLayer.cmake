# mqttscope_add_layer(TARGET DIR SOURCES...): one static library per layer of core/.
# Sources include another layer as "protocol/decoder.h". A layer's include root holds only its own
# directory (a link named DIR in build/layers/DIR), so a header of another layer is found only
# through the target that layer's library exports: linking is the layering's rule, and a layer
# that includes what it does not link fails to compile (tests/layering checks session/transport).
function(mqttscope_add_layer target dir)
    qt_add_library(${target} STATIC ${ARGN})
    set(root ${CMAKE_BINARY_DIR}/layers/${dir})
    file(MAKE_DIRECTORY ${root})
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR} ${root}/${dir} SYMBOLIC)
    target_include_directories(${target} PUBLIC ${root})
    if(TARGET mqttscope_build_flags)
        target_link_libraries(${target} PRIVATE mqttscope_build_flags)
    endif()
endfunction()
