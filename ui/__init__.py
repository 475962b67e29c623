"""The Gradio front end: ``handlers`` holds plain functions over the library; ``app`` only wires them up."""
