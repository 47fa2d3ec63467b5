"""Where canvassing pays most: polling stations ranked by mobilisation potential and coverage."""
