"""Audio: G.711 codec, resampling and framing."""
