import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../i18n/i18n';
import { SessionProvider } from '../session/session';
import { TimeZoneProvider } from '../time/time-zone';
import '../ui/base.css';
import './console.css';
import { ConsoleApp } from './console-app';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <TimeZoneProvider>
        <SessionProvider app="console">
          <ConsoleApp />
        </SessionProvider>
      </TimeZoneProvider>
    </I18nProvider>
  </StrictMode>,
);
