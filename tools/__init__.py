"""Developer tools beside the pipeline: the sample province generator, the analyst guide writer.

Not part of the runtime package, so editing them does not invalidate the run cache.
"""
