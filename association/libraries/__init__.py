"""Member libraries: the registry, regions, membership and progress on the library-level measures."""
