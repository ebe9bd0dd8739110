import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Paths the web apps never answer: the API (and its docs), socket.io, MQTT over WebSocket, metrics. */
const NOT_WEB = /^\/(api|socket\.io|mqtt|metrics)(\/|$)/;
/** Vite's content-hashed build output: safe to cache for a year. */
const HASHED_ASSETS = /^\/assets\//;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Anxin web apps not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>控制台尚未构建 · Web apps not built</h1>
<p>The operators' console and the caregiver app have not been built. Run <code>npm run build:web</code> and reload.</p>
<p>运营控制台与护理员应用尚未构建：请运行 <code>npm run build:web</code> 后刷新本页。</p>
<p>The API is available under <code>/api/v1</code> (docs at <code>/api/docs</code>).</p>
</body></html>`;

/**
 * Serves the built web apps (`npm run build:web` → dist/apps/web): the operators' console at `/`
 * and the caregiver app at `/caregiver`, with history-API fallbacks so a reload on any page works.
 * Call before `app.init()` so these handlers run ahead of Nest's 404.
 */
export function mountWebApps(app: NestExpressApplication, webDistDir: string): void {
  webDistDir = path.resolve(webDistDir);
  const consoleHtml = path.join(webDistDir, 'index.html');
  const caregiverHtml = path.join(webDistDir, 'caregiver', 'index.html');
  let built = false;
  const isBuilt = () => (built ||= fs.existsSync(consoleHtml) && fs.existsSync(caregiverHtml));

  app.useStaticAssets(webDistDir, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res: ServerResponse, filePath: string) => {
      const rel = `/${path.relative(webDistDir, filePath).split(path.sep).join('/')}`;
      if (HASHED_ASSETS.test(rel)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else if (rel.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
      else res.setHeader('Cache-Control', 'public, max-age=3600');
    },
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_WEB.test(req.path)) return next();
    // A missing hashed asset is a 404, never an HTML page the browser would try to run.
    if (HASHED_ASSETS.test(req.path)) return next();
    if (!isBuilt()) {
      res.status(503).setHeader('Cache-Control', 'no-store').type('html').send(NOT_BUILT_PAGE);
      return;
    }
    const page = /^\/caregiver(\/|$)/.test(req.path) ? caregiverHtml : consoleHtml;
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(page, (error) => {
      if (!error || res.headersSent) return;
      // The build was removed under us (e.g. `npm run build:web` running now): say so, not a JSON 404.
      built = false;
      res.status(503).setHeader('Cache-Control', 'no-store').type('html').send(NOT_BUILT_PAGE);
    });
  });
}
