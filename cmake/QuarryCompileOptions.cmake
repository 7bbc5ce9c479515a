# Warning and sanitizer flags for quarry's own targets (never for third-party code).
set(QUARRY_WARNING_FLAGS -Wall -Wextra -Wpedantic -Werror)

if(QUARRY_SANITIZE)
  set(QUARRY_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
                             -fno-omit-frame-pointer)
  add_compile_options(${QUARRY_SANITIZER_FLAGS})
  add_link_options(${QUARRY_SANITIZER_FLAGS})
endif()

function(quarry_target_warnings target)
  target_compile_options(${target} PRIVATE ${QUARRY_WARNING_FLAGS})
endfunction()
