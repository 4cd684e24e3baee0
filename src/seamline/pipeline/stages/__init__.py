"""The stages of the main job, one module each; `seamline.pipeline.registry.STAGES` orders them."""
