// Declares, for emcc's linker, the functions the wasm core imports from its
// JS host. The real implementations live in worker/src/ssemux-core.js; this
// file only tells emcc they exist (no emscripten JS glue is generated).
mergeInto(LibraryManager.library, {
  // Drain the batch of the sink at `sink` (an arena or record array is full).
  ssemux_flush: function (sink) {},
  // The sse_allocator resize contract (parser.h) over JS's block allocator.
  ssemux_resize: function (ptr, oldSize, newSize) {},
});
