// #region readme:vite-config
import { defineConfig } from "vite";

// `/token` is your server's route (it mints the short-lived token). `vite dev` serves only the
// app: proxy the route to your server (here the repo's dev server, `make demo`), or give the token
// function an absolute URL your server allows with CORS.
export default defineConfig({
  server: { proxy: { "/token": "http://127.0.0.1:8080" } },
});
// #endregion
