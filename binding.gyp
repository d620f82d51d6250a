{
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-ffp-contract=fast", "-fno-tree-loop-distribute-patterns", "-fPIC", "-Wall", "-Wno-unused-function"],
    "cflags!": ["-O2", "-O0"],
    "cflags": ["-O3", "-fPIC"]
  },
  "targets": [
    {
      "target_name": "kh_isa_avx512",
      "type": "static_library",
      "sources": ["native/isa_avx512.cpp"],
      "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mfma"]
    },
    {
      "target_name": "kh_isa_avx2",
      "type": "static_library",
      "sources": ["native/isa_avx2.cpp"],
      "cflags_cc": ["-mavx2", "-mfma"]
    },
    {
      "target_name": "kh_isa_generic",
      "type": "static_library",
      "sources": ["native/isa_generic.cpp"]
    },
    {
      "target_name": "kirchhoff_native",
      "sources": ["native/addon.cpp", "native/addon_hwa.cpp", "native/threadpool.cpp"],
      "dependencies": ["kh_isa_avx512", "kh_isa_avx2", "kh_isa_generic"],
      "libraries": ["-lpthread"]
    }
  ]
}
