import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { App } from './app';
import './styles.css';
import { createGatewayClient } from './urql-client';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <Provider value={createGatewayClient()}>
      <App />
    </Provider>
  </StrictMode>,
);
